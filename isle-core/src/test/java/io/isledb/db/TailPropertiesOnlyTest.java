package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Change;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ReaderOptions;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit that only sets table properties (an {@code add} edit without tables) produces no change
 * for a tailing reader: a poll passes over it and returns an empty batch whose position is after it
 * (docs/isle-core.md, "Tailing reader"); the properties are read from a view of that version.
 */
class TailPropertiesOnlyTest {
  @TempDir Path cacheDir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aPropertiesOnlyCommitYieldsAnEmptyBatchThatAdvancesThePosition() {
    InMemoryObjectStore store = new InMemoryObjectStore();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults());
        Writer w =
            db.openWriter(
                WriterOptions.defaults()
                    .withFlushInterval(Duration.ZERO)
                    .withCache(ReaderOptions.defaults().withCacheDir(cacheDir.resolve("w"))));
        TailingReader tr = db.openTailingReader(TailingReaderOptions.defaults())) {
      w.put(b("a"), b("1"));
      w.flush();
      long dataVersion = w.lastCommittedVersion();
      long propsVersion = w.commitProperties(Map.of("schema", "v1"));
      assertThat(propsVersion).isEqualTo(dataVersion + 1);

      TailBatch first = tr.poll(TailPosition.start(), 100);
      assertThat(first.changes()).extracting(Change::version).containsExactly(dataVersion);
      assertThat(first.next())
          .as("the poll passed over the properties-only edit")
          .isEqualTo(new TailPosition(propsVersion + 1, 0));

      TailBatch fromProps = tr.poll(new TailPosition(propsVersion, 0), 100);
      assertThat(fromProps.changes()).isEmpty();
      assertThat(fromProps.next()).isEqualTo(new TailPosition(propsVersion + 1, 0));

      // Then the next data commit is the next change, and the properties are in its version.
      w.put(b("b"), b("2"));
      w.flush();
      TailBatch next = tr.poll(fromProps.next(), 100);
      assertThat(next.changes()).hasSize(1);
      assertThat(new String(next.changes().get(0).key(), StandardCharsets.UTF_8)).isEqualTo("b");
      try (var r = db.openReader(ReaderOptions.defaults().withCacheDir(cacheDir.resolve("r")));
          var v = r.openVersion(propsVersion)) {
        assertThat(v.properties()).containsEntry("schema", "v1");
      }
    }
  }
}
