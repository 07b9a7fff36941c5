package io.isledb.flink.connector.source.split;

import io.isledb.TailPosition;
import io.isledb.flink.connector.codec.KeyRange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Binary form of an {@link IsleSplit} in checkpoints (version {@value #VERSION}): index (int),
 * flags (byte: 1 = finished mark, 2 = snapshot done, 4 = has tail), from, to, resume key (each a
 * nullable byte array: length or -1, bytes), snapshot version (long), then with a tail its version
 * and offset (longs) and the pin name (UTF); then (since version 2) the split's disjoint key
 * ranges: their count (int, -1 for none: the whole {@code [from, to)}) and each range's from and to
 * (nullable byte arrays). Version 1 (no ranges) is still read: such a split reads all of its
 * bounds.
 */
@Internal
public final class IsleSplitSerializer implements SimpleVersionedSerializer<IsleSplit> {
  /** The shared instance (stateless). */
  public static final IsleSplitSerializer INSTANCE = new IsleSplitSerializer();

  static final int VERSION = 2;

  /** The first version: splits without disjoint ranges. */
  static final int VERSION_1 = 1;

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(IsleSplit split) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    write(split, out);
    return out.getCopyOfBuffer();
  }

  @Override
  public IsleSplit deserialize(int version, byte[] serialized) throws IOException {
    if (version != VERSION && version != VERSION_1) {
      throw new IOException(
          "unknown IsleSplit serializer version "
              + version
              + ", this build reads "
              + VERSION_1
              + " and "
              + VERSION);
    }
    DataInputDeserializer in = new DataInputDeserializer(serialized);
    IsleSplit s = read(in, version);
    if (in.available() != 0) {
      throw new IOException("IsleSplit has " + in.available() + " trailing bytes");
    }
    return s;
  }

  /** Writes {@code split} in the version-{@value #VERSION} form (for the enumerator state too). */
  public static void write(IsleSplit split, DataOutputView out) throws IOException {
    out.writeInt(split.index());
    int flags =
        (split.finishedMark() ? 1 : 0)
            | (split.snapshotDone() ? 2 : 0)
            | (split.tail() != null ? 4 : 0);
    out.writeByte(flags);
    writeBytes(split.from(), out);
    writeBytes(split.to(), out);
    writeBytes(split.resumeAfter(), out);
    out.writeLong(split.snapshotVersion());
    if (split.tail() != null) {
      out.writeLong(split.tail().version());
      out.writeLong(split.tail().offset());
      out.writeUTF(split.pinName());
    }
    List<KeyRange> ranges = split.ranges();
    out.writeInt(ranges == null ? -1 : ranges.size());
    if (ranges != null) {
      for (KeyRange r : ranges) {
        writeBytes(r.fromInclusive(), out);
        writeBytes(r.toExclusive(), out);
      }
    }
  }

  /** Reads what {@link #write} wrote. */
  public static IsleSplit read(DataInputView in) throws IOException {
    return read(in, VERSION);
  }

  /** Reads a split written in serializer version {@code version} (1 or 2). */
  public static IsleSplit read(DataInputView in, int version) throws IOException {
    int index = in.readInt();
    int flags = in.readByte();
    if ((flags & ~7) != 0) {
      throw new IOException("IsleSplit " + index + " has unknown flags " + flags);
    }
    byte[] from = readBytes(in);
    byte[] to = readBytes(in);
    byte[] resume = readBytes(in);
    long snapshotVersion = in.readLong();
    TailPosition tail = null;
    String pin = null;
    if ((flags & 4) != 0) {
      tail = new TailPosition(in.readLong(), in.readLong());
      pin = in.readUTF();
    }
    List<KeyRange> ranges = null;
    if (version >= VERSION) {
      int n = in.readInt();
      if (n < -1) {
        throw new IOException("IsleSplit " + index + " has " + n + " key ranges");
      }
      if (n >= 0) {
        ranges = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          ranges.add(new KeyRange(readBytes(in), readBytes(in)));
        }
      }
    }
    return new IsleSplit(
        index,
        from,
        to,
        snapshotVersion,
        resume,
        (flags & 2) != 0,
        tail,
        pin,
        (flags & 1) != 0,
        ranges);
  }

  private static void writeBytes(byte[] b, DataOutputView out) throws IOException {
    if (b == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(b.length);
      out.write(b);
    }
  }

  private static byte[] readBytes(DataInputView in) throws IOException {
    int len = in.readInt();
    if (len < -1) {
      throw new IOException("IsleSplit has a key of negative length " + len);
    }
    if (len == -1) {
      return null;
    }
    byte[] b = new byte[len];
    in.readFully(b);
    return b;
  }
}
