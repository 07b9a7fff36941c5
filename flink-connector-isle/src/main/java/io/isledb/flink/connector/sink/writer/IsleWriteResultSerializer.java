package io.isledb.flink.connector.sink.writer;

import io.isledb.IsleException;
import io.isledb.SstHandle;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Serializer of {@link IsleWriteResult} (version 1: handle count, then each handle's {@link
 * SstHandle#toBytes()} with its length). A damaged form is an {@link IOException} naming what is
 * wrong, never a handle that could be committed.
 */
@Internal
public final class IsleWriteResultSerializer implements SimpleVersionedSerializer<IsleWriteResult> {
  /** The only version written. */
  public static final int VERSION = 1;

  /** Most handles one committable may carry; more means the bytes are damaged. */
  static final int MAX_HANDLES = 1 << 20;

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(IsleWriteResult result) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64 + 128 * result.handles().size());
    writeHandles(out, result.handles());
    return out.getCopyOfBuffer();
  }

  @Override
  public IsleWriteResult deserialize(int version, byte[] serialized) throws IOException {
    checkVersion("write result", version);
    DataInputDeserializer in = new DataInputDeserializer(serialized);
    List<SstHandle> handles = readHandles(in);
    checkConsumed("write result", in);
    return new IsleWriteResult(handles);
  }

  /** Writes {@code handles} as this format does (shared with the committable's serializer). */
  public static void writeHandles(DataOutputSerializer out, List<SstHandle> handles)
      throws IOException {
    out.writeInt(handles.size());
    for (SstHandle h : handles) {
      byte[] b = h.toBytes();
      out.writeInt(b.length);
      out.write(b);
    }
  }

  /** Reads what {@link #writeHandles} wrote, checking every length against what is left. */
  public static List<SstHandle> readHandles(DataInputDeserializer in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_HANDLES || n > in.available() / 4) {
      throw new IOException("damaged sink committable: handle count " + n + " is impossible");
    }
    List<SstHandle> handles = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int len = in.readInt();
      if (len <= 0 || len > in.available()) {
        throw new IOException(
            "damaged sink committable: handle "
                + i
                + " has length "
                + len
                + " of "
                + in.available()
                + " bytes left");
      }
      byte[] b = new byte[len];
      in.readFully(b);
      try {
        handles.add(SstHandle.fromBytes(b));
      } catch (IsleException e) {
        throw new IOException("damaged sink committable: handle " + i + ": " + e.getMessage(), e);
      }
    }
    return handles;
  }

  /** Refuses a version this build does not read. */
  public static void checkVersion(String what, int version) throws IOException {
    if (version != VERSION) {
      throw new IOException(
          "cannot read a sink "
              + what
              + " of serializer version "
              + version
              + ": this build reads version "
              + VERSION);
    }
  }

  /** Refuses trailing bytes (a damaged or foreign form). */
  public static void checkConsumed(String what, DataInputDeserializer in) throws IOException {
    if (in.available() != 0) {
      throw new IOException(
          "damaged sink " + what + ": " + in.available() + " unexpected trailing bytes");
    }
  }
}
