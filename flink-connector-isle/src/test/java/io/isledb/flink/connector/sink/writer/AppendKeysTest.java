package io.isledb.flink.connector.sink.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Append keys: unique across jobs, writers and epochs, ascending per writer, reproducible. */
class AppendKeysTest {
  @Test
  void keysAscendPerWriterAndAcrossEpochs() {
    AppendKeys first = new AppendKeys("job", 3, 0);
    AppendKeys restored = new AppendKeys("job", 3, 7);
    byte[] previous = null;
    for (AppendKeys keys : new AppendKeys[] {first, restored}) {
      for (int i = 0; i < 300; i++) {
        byte[] k = keys.next();
        assertThat(k).hasSize(AppendKeys.KEY_LENGTH);
        if (previous != null) {
          assertThat(Arrays.compareUnsigned(previous, k)).isNegative();
        }
        previous = k;
      }
    }
  }

  @Test
  void jobsWritersAndEpochsNeverCollide() {
    Set<String> seen = new HashSet<>();
    for (String job : new String[] {"a", "b"}) {
      for (int subtask = 0; subtask < 3; subtask++) {
        for (long epoch : new long[] {0, 1, 1L << 40}) {
          AppendKeys keys = new AppendKeys(job, subtask, epoch);
          for (int i = 0; i < 50; i++) {
            assertThat(seen.add(Arrays.toString(keys.next()))).isTrue();
          }
        }
      }
    }
  }

  @Test
  void aReplayOfTheSameEpochMakesTheSameKeys() {
    AppendKeys a = new AppendKeys("job", 1, 5);
    AppendKeys b = new AppendKeys("job", 1, 5);
    for (int i = 0; i < 10; i++) {
      assertThat(a.next()).isEqualTo(b.next());
    }
  }

  @Test
  void writerStateRoundTripsAndRefusesForeignBytes() throws IOException {
    CheckpointIdSerializer s = new CheckpointIdSerializer();
    assertThat(s.deserialize(1, s.serialize(123L))).isEqualTo(123L);
    assertThatThrownBy(() -> s.deserialize(1, new byte[7])).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> s.deserialize(2, new byte[8])).isInstanceOf(IOException.class);
  }
}
