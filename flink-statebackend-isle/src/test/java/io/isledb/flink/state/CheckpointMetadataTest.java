package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.flink.state.snapshot.IsleCheckpoint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An isle checkpoint survives Flink's checkpoint metadata format (which knows only Flink's own
 * handle types), keeps no secret, and discarding the handle read back from the metadata deletes
 * exactly the pin object.
 */
class CheckpointMetadataTest {
  @TempDir Path dir;

  @Test
  void handleRoundTripsThroughCheckpointMetadataAndDiscardDeletesThePinObject() throws Exception {
    String storeUri = "file:///";
    String prefix = dir.toString().substring(1) + "/db";
    Path pin = dir.resolve("db/manifest/pins/chk-7-abc.json");
    Files.createDirectories(pin.getParent());
    Files.writeString(pin, "{}");
    Path otherPin = dir.resolve("db/manifest/pins/chk-8-abc.json");
    Files.writeString(otherPin, "{}");

    IsleCheckpoint checkpoint =
        new IsleCheckpoint(
            storeUri,
            prefix,
            42,
            "chk-7-abc",
            KeyGroupRange.of(0, 63),
            Map.of("fs.s3a.endpoint", "http://e", "fs.s3a.secret.key", "SECRET"));
    KeyedStateHandle handle = checkpoint.toHandle(UUID.randomUUID(), 7, 1234);

    OperatorState operator = new OperatorState("op", "uid", new OperatorID(), 1, 128);
    operator.putState(0, OperatorSubtaskState.builder().setManagedKeyedState(handle).build());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Checkpoints.storeCheckpointMetadata(
        new CheckpointMetadata(7, List.of(operator), List.of()), bytes);
    assertThat(bytes.toString(java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain("SECRET");

    CheckpointMetadata loaded =
        Checkpoints.loadCheckpointMetadata(
            new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())),
            getClass().getClassLoader(),
            "test");
    KeyedStateHandle restored =
        loaded
            .getOperatorStates()
            .iterator()
            .next()
            .getState(0)
            .getManagedKeyedState()
            .iterator()
            .next();
    IsleCheckpoint back = IsleCheckpoint.of(restored).orElseThrow();
    assertThat(back.toString()).isEqualTo(checkpoint.toString());
    assertThat(back.getVersion()).isEqualTo(42);
    assertThat(back.getSourceKeyGroupRange()).isEqualTo(KeyGroupRange.of(0, 63));
    assertThat(back.hadoopConf()).containsEntry("fs.s3a.endpoint", "http://e");
    assertThat(restored.getCheckpointedSize()).isEqualTo(1234);

    restored.discardState();
    assertThat(pin).doesNotExist();
    assertThat(otherPin).exists();
  }
}
