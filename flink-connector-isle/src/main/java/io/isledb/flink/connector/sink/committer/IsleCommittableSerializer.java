package io.isledb.flink.connector.sink.committer;

import static io.isledb.flink.connector.sink.writer.IsleWriteResultSerializer.checkConsumed;
import static io.isledb.flink.connector.sink.writer.IsleWriteResultSerializer.checkVersion;

import io.isledb.flink.connector.sink.writer.IsleWriteResultSerializer;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Serializer of {@link IsleCommittable}, kept in the committer's checkpointed state (version 1:
 * commit user (UTF), checkpoint id, then the handles as {@link IsleWriteResultSerializer} writes
 * them). Damaged bytes are an {@link IOException}, never a wrong commit.
 */
@Internal
public final class IsleCommittableSerializer implements SimpleVersionedSerializer<IsleCommittable> {
  @Override
  public int getVersion() {
    return IsleWriteResultSerializer.VERSION;
  }

  @Override
  public byte[] serialize(IsleCommittable c) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(128 + 128 * c.handles().size());
    out.writeUTF(c.commitUser());
    out.writeLong(c.checkpointId());
    IsleWriteResultSerializer.writeHandles(out, c.handles());
    return out.getCopyOfBuffer();
  }

  @Override
  public IsleCommittable deserialize(int version, byte[] serialized) throws IOException {
    checkVersion("committable", version);
    DataInputDeserializer in = new DataInputDeserializer(serialized);
    String user = in.readUTF();
    long checkpointId = in.readLong();
    if (user.isEmpty() || checkpointId < 0) {
      throw new IOException(
          "damaged sink committable: commit user '" + user + "', checkpoint " + checkpointId);
    }
    IsleCommittable c =
        new IsleCommittable(user, checkpointId, IsleWriteResultSerializer.readHandles(in));
    checkConsumed("committable", in);
    return c;
  }
}
