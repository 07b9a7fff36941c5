package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.ReaderStats;
import io.isledb.RequestStats;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ReaderOptions.preopenBytes}: a reader opens its version's tables when it opens or moves to
 * a new version (one ranged read each, within the byte and count bounds), so its lookups never pay
 * a table open; best effort when a table cannot be opened. On {@code file://}, tables from {@link
 * ColdReadCosts#fill}.
 */
class PreopenTablesTest {
  @TempDir Path dir;

  private static ReaderOptions cold() {
    return ReaderOptions.defaults().withDiskCacheBytes(0).withSmallTableBytes(0);
  }

  @Test
  void openingReadsEveryTableOnceAndLookupsThenReadOnlyTheirBlocks() {
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "db")) {
      ColdReadCosts.fill(store);
      RequestStats before = store.stats();
      try (Reader lazy = IsleDB.openReader(store, cold())) {
        assertThat(lazy.stats().tableOpens()).isZero();
      }
      RequestStats lazyOpen = store.stats().minus(before);
      before = store.stats();
      try (Reader r = IsleDB.openReader(store, cold().withPreopenBytes(64 << 20))) {
        RequestStats preOpen = store.stats().minus(before);
        assertThat(r.stats().tableOpens()).isEqualTo(ColdReadCosts.TABLES);
        assertThat(preOpen.gets() - lazyOpen.gets())
            .as("one ranged read per table: %s against %s", preOpen, lazyOpen)
            .isEqualTo(ColdReadCosts.TABLES);
        SplittableRandom rnd = new SplittableRandom(ColdReadCosts.SEED);
        long blockGets = 0;
        for (int n = 0; n < 200; n++) {
          int i = rnd.nextInt(ColdReadCosts.KEYS);
          ReaderStats s0 = r.stats();
          RequestStats b = store.stats();
          assertThat(r.get(ColdReadCosts.key(i))).as("key %d", i).isPresent();
          RequestStats cost = store.stats().minus(b);
          ReaderStats s1 = r.stats();
          assertThat(s1.tableOpens())
              .as("no table opened by lookup %d", n)
              .isEqualTo(s0.tableOpens());
          assertThat(cost.gets())
              .as("lookup %d of key %d: %s", n, i, cost)
              .isEqualTo(s1.blockCacheMisses() - s0.blockCacheMisses());
          blockGets += cost.gets();
        }
        assertThat(blockGets).isGreaterThan(100);
      }
    }
  }

  @Test
  void theByteBudgetAndMaxOpenTablesBoundWhatIsOpened() {
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "db")) {
      ColdReadCosts.fill(store);
      try (Reader r = IsleDB.openReader(store, cold().withPreopenBytes(1))) {
        assertThat(r.stats().tableOpens()).as("no meta section fits in 1 byte").isZero();
        assertThat(r.get(ColdReadCosts.key(7))).isPresent();
      }
      try (Reader r =
          IsleDB.openReader(store, cold().withPreopenBytes(64 << 20).withMaxOpenTables(2))) {
        assertThat(r.stats().tableOpens()).isEqualTo(2);
      }
    }
  }

  @Test
  void aRefreshOpensTheTablesOfTheNewVersion() {
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "db")) {
      ColdReadCosts.fill(store);
      try (Reader r = IsleDB.openReader(store, cold().withPreopenBytes(64 << 20))) {
        assertThat(r.stats().tableOpens()).isEqualTo(ColdReadCosts.TABLES);
        try (IsleDB db = IsleDB.open(store, DBOptions.defaults());
            Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
          w.put(ColdReadCosts.key(ColdReadCosts.KEYS + 1), new byte[] {1});
          w.flush();
        }
        r.refresh();
        assertThat(r.stats().tableOpens()).isEqualTo(ColdReadCosts.TABLES + 1);
        RequestStats b = store.stats();
        assertThat(r.get(ColdReadCosts.key(ColdReadCosts.KEYS + 1))).isPresent();
        assertThat(r.stats().tableOpens()).isEqualTo(ColdReadCosts.TABLES + 1);
        assertThat(store.stats().minus(b).gets()).as("only the new table's block").isEqualTo(1);
      }
    }
  }

  @Test
  void aTableThatCannotBeOpenedLeavesTheReaderUsable() throws Exception {
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "db")) {
      ColdReadCosts.fill(store);
      List<Path> tables;
      try (Stream<Path> s = Files.walk(dir)) {
        tables = s.filter(p -> p.toString().endsWith(".sst")).sorted().toList();
      }
      assertThat(tables).hasSize(ColdReadCosts.TABLES);
      Files.delete(tables.get(0)); // lost from storage: lookups that need it fail as before
      try (Reader r = IsleDB.openReader(store, cold().withPreopenBytes(64 << 20))) {
        assertThat(r.stats().tableOpens()).isLessThan(ColdReadCosts.TABLES);
        assertThat(r.version()).isPositive();
      }
    }
  }
}
