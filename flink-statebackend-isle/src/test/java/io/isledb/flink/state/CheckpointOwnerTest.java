package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.flink.state.snapshot.IsleCheckpoint;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.junit.jupiter.api.Test;

/**
 * The owner job in a checkpoint's descriptor decides how a restore opens the database: the job that
 * wrote it reopens it in place (a failover), any other job restores a copy (NO_CLAIM, several jobs
 * from one retained checkpoint). Descriptors written before the owner was recorded decode without
 * one and keep the earlier behaviour (in place).
 */
class CheckpointOwnerTest {
  private static IsleCheckpoint checkpoint(String owner) {
    return new IsleCheckpoint(
        "file:///", "tmp/db", 3, "chk-1-abc", KeyGroupRange.of(0, 63), Map.of(), owner);
  }

  @Test
  void ownerRoundTripsThroughTheHandle() throws Exception {
    IsleCheckpoint read =
        IsleCheckpoint.of(checkpoint("job-a").toHandle(UUID.randomUUID(), 1, 10)).orElseThrow();
    assertThat(read.getOwnerJob()).isEqualTo("job-a");
    assertThat(read.getVersion()).isEqualTo(3);
    assertThat(read.getPinName()).isEqualTo("chk-1-abc");
  }

  @Test
  void aDescriptorWithoutOwnerStillDecodes() throws Exception {
    IsleCheckpoint read =
        IsleCheckpoint.of(checkpoint(null).toHandle(UUID.randomUUID(), 1, 10)).orElseThrow();
    assertThat(read.getOwnerJob()).isNull();
    assertThat(read.getSourceKeyGroupRange()).isEqualTo(KeyGroupRange.of(0, 63));
  }

  @Test
  void onlyTheWritingJobReopensInPlace() {
    assertThat(IsleKeyedStateBackendBuilder.ownedBy(checkpoint("job-a"), "job-a")).isTrue();
    assertThat(IsleKeyedStateBackendBuilder.ownedBy(checkpoint("job-a"), "job-b")).isFalse();
    assertThat(IsleKeyedStateBackendBuilder.ownedBy(checkpoint(null), "job-b")).isTrue();
  }
}
