package io.isledb.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.storage.InMemoryObjectStore;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * CURRENT's snapshot field can lag behind the snapshot GC collected the log up to (authors with an
 * LSN extractor rewrite CURRENT after every edit naming the last snapshot they wrote themselves).
 * If that older snapshot still exists while the log after it is gone (GC deletes them in one pass,
 * log first), a cold open must not stop at it and return a stale version.
 */
class LaggingCurrentTest {
  @Test
  void coldOpenIgnoresASnapshotWhoseFollowingLogWasCollected() {
    InMemoryObjectStore store = new InMemoryObjectStore();
    Manifest ms = new Manifest(store);
    ManifestAppender a =
        new ManifestAppender(
            ms,
            Role.WRITER,
            "w",
            Clock.systemUTC(),
            ManifestState.empty(),
            0,
            1000,
            false,
            300_000);
    a.fence();
    for (int i = 1; i <= 9; i++) {
      long seq = a.head().lastSeq() + 1;
      int n = i;
      a.append(
          s ->
              Optional.of(
                  new Edit.AddTables(List.of(Tables.table(n, "a", "z", seq, seq)), seq, -1)),
          null);
    }
    assertThat(a.head().seq()).isEqualTo(10);
    ms.writeSnapshot(ms.loadVersion(3), 0);
    ms.writeSnapshot(ms.loadVersion(8), 0);
    // GC collected the log up to snapshot 8 (snapshot 3 not deleted yet); CURRENT lags at 3.
    for (long s = 1; s <= 8; s++) {
      store.delete(ManifestPaths.log(s));
    }
    ms.writeCurrent(new ManifestCodec.Current(3, 10, -1, -1, 0));

    ManifestState loaded = ms.loadLatest();
    assertThat(loaded.seq()).isEqualTo(10);
    assertThat(loaded.l0()).hasSize(9);
    assertThat(ms.leftBehind(3)).isTrue();
    assertThat(ms.leftBehind(10)).isFalse();
  }
}
