package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.RequestStats;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Writers that each publish fewer edits than {@code snapshotEvery} (a state backend reopened at
 * every restore) still get manifest snapshots: the next writer's open replays at most about {@code
 * snapshotEvery} edits, however many sessions came before, not the whole log since the last
 * snapshot.
 */
class ShortSessionSnapshotTest {
  private static final int SNAPSHOT_EVERY = 8;

  @ParameterizedTest(name = "{0} sessions")
  @ValueSource(ints = {6, 24})
  void openCostDoesNotGrowWithTheNumberOfShortSessions(int sessions) {
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    InMemoryObjectStore store = new InMemoryObjectStore(clock);
    DBOptions dbo =
        DBOptions.defaults()
            .withClock(clock)
            .withIdSource(Ids.seededSource(5))
            .withSnapshotEvery(SNAPSHOT_EVERY);
    WriterOptions wo = WriterOptions.defaults().withFlushInterval(Duration.ZERO);
    try (IsleDB db = IsleDB.open(store, dbo)) {
      for (int s = 0; s < sessions; s++) {
        // A fence and three commits: four edits, half of snapshotEvery.
        try (Writer w = db.openWriter(wo)) {
          for (int i = 0; i < 3; i++) {
            w.put(("k" + s + "-" + i).getBytes(StandardCharsets.UTF_8), new byte[] {1});
            w.flush();
          }
        }
      }
      RequestStats before = store.stats();
      try (Writer w = db.openWriter(wo)) {
        RequestStats open = store.stats().minus(before);
        // LIST of snapshots, a snapshot, at most snapshotEvery + 1 log slots (the last one free),
        // the settings, the fence (and a snapshot and CURRENT when one is due).
        assertThat(open.gets())
            .as("GETs of a writer's open after %d sessions: %s", sessions, open)
            .isLessThanOrEqualTo(SNAPSHOT_EVERY + 4);
        assertThat(w.view().get("k0-0".getBytes(StandardCharsets.UTF_8))).isPresent();
      }
    }
  }
}
