package io.isledb;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.storage.InMemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link ReadView#tableObjects()}: the table objects a version references, from its manifest state,
 * equal to what storage lists for it, for a reader's view of an older and of the newest version and
 * for a writer's view.
 */
class ReadViewTableObjectsTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Set<String> listedTables(ObjectStore store) {
    Set<String> out = new TreeSet<>();
    store.list("sstable/").forEachRemaining(o -> out.add(o.name()));
    return out;
  }

  @Test
  void tableObjectsAreTheTablesEachVersionReferences() {
    ObjectStore store = new InMemoryObjectStore();
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults());
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        Reader r = db.openReader(ReaderOptions.defaults())) {
      List<Long> versions = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        w.put(b("k" + i), b("v" + i));
        w.flush();
        versions.add(w.lastCommittedVersion());
      }
      Set<String> all = listedTables(store);
      assertThat(all).hasSize(3);
      try (ReadView first = r.openVersion(versions.get(0));
          ReadView newest = r.openVersion(versions.get(2));
          ReadView writerView = w.view()) {
        assertThat(first.tableObjects()).hasSize(1).isSubsetOf(all);
        assertThat(newest.tableObjects()).containsExactlyElementsOf(all);
        assertThat(writerView.tableObjects()).containsExactlyElementsOf(all);
      }
    }
  }
}
