package io.isledb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state backend example: with one induced failure, every key's final count equals the model (a
 * lost or repeated update after the restore would change it), and the state lies in isle databases
 * under the checkpoint directory.
 */
class StateBackendExampleITCase {
  @TempDir Path dir;

  @Test
  void countsSurviveTheFailureExactly() throws Exception {
    String uri = dir.toUri().toString();
    assertThat(StateBackendExample.run(uri, 600, 100)).isEqualTo(StateBackendExample.model(600));
    StorageSummary.Place state = StorageSummary.list("state", uri + "isle-state", Map.of());
    assertThat(state.databases()).as(state.toString()).isPositive();
  }
}
