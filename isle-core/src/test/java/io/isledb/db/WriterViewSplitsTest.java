package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RequestStats;
import io.isledb.ScanSplit;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code writer.view().splits(n)}: the head's table metadata gives the cuts (as a reader's view of
 * that version would, no request), and scanning every split on the writer view returns each key,
 * the unflushed ones included, exactly once.
 */
class WriterViewSplitsTest {
  @TempDir Path cacheDir;

  private static byte[] key(int i) {
    return String.format("key-%05d", i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void splitsFollowTheHeadsTablesAndCoverTheMemtablesExactlyOnce() {
    InMemoryObjectStore store = new InMemoryObjectStore();
    TreeMap<String, String> model = new TreeMap<>();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults());
        Writer w =
            db.openWriter(
                WriterOptions.defaults()
                    .withFlushInterval(Duration.ZERO)
                    .withCache(ReaderOptions.defaults().withCacheDir(cacheDir.resolve("w"))))) {
      try (ReadView empty = w.view()) {
        assertThat(empty.splits(4)).as("nothing flushed: one split").hasSize(1);
      }
      for (int t = 0; t < 4; t++) {
        for (int i = t; i < 4000; i += 4) {
          w.put(key(i), ("v" + i).getBytes(StandardCharsets.UTF_8));
          model.put(new String(key(i), StandardCharsets.UTF_8), "v" + i);
        }
        w.flush();
      }
      for (int i = 0; i < 4100; i += 7) {
        w.put(key(i), ("m" + i).getBytes(StandardCharsets.UTF_8)); // unflushed
        model.put(new String(key(i), StandardCharsets.UTF_8), "m" + i);
      }
      List<ScanSplit> fromReader;
      try (Reader r = db.openReader(ReaderOptions.defaults().withCacheDir(cacheDir.resolve("r")));
          ReadView v = r.snapshot()) {
        fromReader = v.splits(4);
      }
      try (ReadView view = w.view()) {
        RequestStats before = store.stats();
        List<ScanSplit> splits = view.splits(4);
        assertThat(store.stats().minus(before).total()).as("splits from metadata").isZero();
        assertThat(splits).as("the cuts of the head's tables").isEqualTo(fromReader);
        assertThat(splits).hasSize(4);
        TreeMap<String, String> seen = new TreeMap<>();
        for (ScanSplit s : splits) {
          try (KvIterator it = view.scan(s.fromInclusive(), s.toExclusive())) {
            while (it.hasNext()) {
              KV kv = it.next();
              String k = new String(kv.key(), StandardCharsets.UTF_8);
              assertThat(s.contains(kv.key())).isTrue();
              assertThat(seen.put(k, new String(kv.value(), StandardCharsets.UTF_8)))
                  .as("key %s seen once", k)
                  .isNull();
            }
          }
        }
        assertThat(seen).isEqualTo(model);
      }
    }
  }
}
