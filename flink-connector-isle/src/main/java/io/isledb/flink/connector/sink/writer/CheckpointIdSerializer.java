package io.isledb.flink.connector.sink.writer;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** The writer's state, a checkpoint id: 8 bytes, big-endian (version 1). */
@Internal
public final class CheckpointIdSerializer implements SimpleVersionedSerializer<Long> {
  @Override
  public int getVersion() {
    return 1;
  }

  @Override
  public byte[] serialize(Long checkpointId) {
    return ByteBuffer.allocate(8).putLong(checkpointId).array();
  }

  @Override
  public Long deserialize(int version, byte[] serialized) throws IOException {
    if (version != 1 || serialized.length != 8) {
      throw new IOException(
          "cannot read a sink writer state of version "
              + version
              + " and "
              + serialized.length
              + " bytes: this build reads version 1, 8 bytes");
    }
    return ByteBuffer.wrap(serialized).getLong();
  }
}
