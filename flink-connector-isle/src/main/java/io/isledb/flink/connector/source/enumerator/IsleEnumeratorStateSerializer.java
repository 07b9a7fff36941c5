package io.isledb.flink.connector.source.enumerator;

import io.isledb.flink.connector.source.split.IsleSplit;
import io.isledb.flink.connector.source.split.IsleSplitSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Binary form of {@link IsleEnumeratorState} (version {@value #VERSION}): planned (boolean),
 * version (long), pin name (boolean present, UTF), pending splits (int count, each in {@link
 * IsleSplitSerializer}'s form: its version 2 since this state's version 2, version 1 before),
 * unfinished split indexes (int count, ints). Version 1 is still read.
 */
@Internal
public final class IsleEnumeratorStateSerializer
    implements SimpleVersionedSerializer<IsleEnumeratorState> {
  /** The shared instance (stateless). */
  public static final IsleEnumeratorStateSerializer INSTANCE = new IsleEnumeratorStateSerializer();

  static final int VERSION = 2;

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(IsleEnumeratorState state) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    out.writeBoolean(state.planned());
    out.writeLong(state.version());
    out.writeBoolean(state.pinName() != null);
    if (state.pinName() != null) {
      out.writeUTF(state.pinName());
    }
    out.writeInt(state.pending().size());
    for (IsleSplit s : state.pending()) {
      IsleSplitSerializer.write(s, out);
    }
    out.writeInt(state.unfinished().size());
    for (int i : state.unfinished()) {
      out.writeInt(i);
    }
    return out.getCopyOfBuffer();
  }

  @Override
  public IsleEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
    if (version != VERSION && version != 1) {
      throw new IOException(
          "unknown IsleSource enumerator state version "
              + version
              + ", this build reads "
              + VERSION);
    }
    DataInputDeserializer in = new DataInputDeserializer(serialized);
    boolean planned = in.readBoolean();
    long v = in.readLong();
    String pin = in.readBoolean() ? in.readUTF() : null;
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("IsleSource enumerator state has " + n + " pending splits");
    }
    List<IsleSplit> pending = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      pending.add(IsleSplitSerializer.read(in, version == 1 ? 1 : 2));
    }
    int u = in.readInt();
    if (u < 0) {
      throw new IOException("IsleSource enumerator state has " + u + " unfinished splits");
    }
    Set<Integer> unfinished = new TreeSet<>();
    for (int i = 0; i < u; i++) {
      unfinished.add(in.readInt());
    }
    if (in.available() != 0) {
      throw new IOException(
          "IsleSource enumerator state has " + in.available() + " trailing bytes");
    }
    return new IsleEnumeratorState(planned, v, pin, pending, unfinished);
  }
}
