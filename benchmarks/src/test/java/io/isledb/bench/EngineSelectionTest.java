package io.isledb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.bench.flink.FlinkStateSuite;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --engines} selects the Flink groups' state backends too (issue 15). */
class EngineSelectionTest {
  @TempDir Path tmp;

  @Test
  void flinkGroupsRunOnlyTheNamedBackendsInTheirOrder() {
    assertThat(FlinkStateSuite.backends(new LinkedHashSet<>(List.of("rocksdb", "isle-file"))))
        .containsExactly("isle-file", "rocksdb");
    assertThat(FlinkStateSuite.backends(Set.of("forst"))).containsExactly("forst");
    assertThat(FlinkStateSuite.backends(Set.of("isle-s3a", "hashmap", "forst", "rocksdb")))
        .containsExactly("isle-s3a", "rocksdb", "forst", "hashmap");
  }

  @Test
  void unknownEngineIsRejectedBeforeAnythingRuns() {
    assertThatThrownBy(
            () ->
                DbBench.run(
                    Scale.named("quick"),
                    tmp,
                    1,
                    Set.of("rocksdb", "rocks"),
                    Set.of("fillseq"),
                    false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rocks");
  }
}
