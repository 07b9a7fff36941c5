package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleResources;
import io.isledb.IsleResourcesOptions;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.SeededIds;
import io.isledb.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thirty databases on one {@link IsleResources}: bounded threads, caches and memtables, and each
 * database reading exactly its own data.
 */
class SharedResourcesTest {
  private static final int DATABASES = 30;
  private static final IsleResourcesOptions SIZES =
      IsleResourcesOptions.defaults()
          .withFlushThreads(2)
          .withCompactionThreads(1)
          .withMaintenanceThreads(1)
          .withDownloadThreads(2)
          .withBlockCacheBytes(64 << 10)
          .withMemtableBudgetBytes(128 << 10);
  private static final String PAD = "x".repeat(1000);
  private static final int POOL_THREADS = 2 + 1 + 1 + 2;

  @TempDir Path dir;

  /** One open database with its roles and the model of what it holds. */
  private record Db(
      ObjectStore store,
      IsleDB db,
      Writer writer,
      Compactor compactor,
      Reader reader,
      TreeMap<String, String> model) {}

  @Test
  void thirtyInMemoryDatabasesShareBoundedThreadsCachesAndMemtables() throws Exception {
    try (IsleResources res = IsleResources.create(SIZES)) {
      runThirty(res, i -> new InMemoryObjectStore(), 0);
    }
  }

  @Test
  void thirtyFileDatabasesShareOneFileSystemAndBoundedResources() throws Exception {
    try (IsleResources res = IsleResources.create(SIZES)) {
      String uri = "file://" + dir.resolve("data");
      runThirty(res, i -> res.openStore(uri, "db" + i, Map.of()), 1);
      assertThat(res.openFileSystems()).isZero();
    }
  }

  private interface StoreFactory {
    ObjectStore open(int i);
  }

  private void runThirty(IsleResources res, StoreFactory stores, int fileSystems) throws Exception {
    long seed = Seeds.seed(0x5eed_3030L);
    List<Db> dbs = new ArrayList<>();
    try {
      for (int i = 0; i < DATABASES; i++) {
        ObjectStore store = stores.open(i);
        // Every database draws the same table ids: only the cache key keeps their blocks apart.
        DBOptions opts = DBOptions.defaults().withIdSource(SeededIds.of(42));
        IsleDB db = IsleDB.open(store, opts, res);
        Writer w =
            db.openWriter(
                WriterOptions.defaults()
                    .withMemtableSize(1 << 20)
                    .withFlushInterval(Duration.ofMillis(200))
                    .withBlockSize(1024));
        Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(3));
        c.start();
        Reader r = db.openReader(ReaderOptions.defaults().withCacheDir(dir.resolve("cache" + i)));
        dbs.add(new Db(store, db, w, c, r, new TreeMap<>()));
      }
      assertThat(res.openFileSystems()).isEqualTo(fileSystems);
      ExecutorService clients = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < DATABASES; i++) {
          Db d = dbs.get(i);
          int dbIndex = i;
          Random rnd = new Random(seed + i);
          done.add(clients.submit(() -> writeAndRead(d, dbIndex, rnd, res)));
        }
        for (Future<?> f : done) {
          f.get(120, TimeUnit.SECONDS); // a budget deadlock fails here
        }
      } finally {
        clients.shutdownNow();
      }
      for (int i = 0; i < DATABASES; i++) {
        Db d = dbs.get(i);
        d.reader().refresh();
        assertModel(d, "db " + i + " seed " + seed);
      }
      assertThat(res.blockCacheBytes()).isPositive().isLessThanOrEqualTo(64 << 10);
      assertThat(sharedThreads()).isLessThanOrEqualTo(POOL_THREADS);
      assertThat(privateRoleThreads(dbs)).isEmpty();
      // One entry (about 1.2 KiB) above the budget per concurrently writing client at most.
      MemtableBudget budget = ((SharedResourcesImpl) res).budget();
      assertThat(budget.peak()).isLessThanOrEqualTo((128 << 10) + 8 * 2048);
      assertThat(budget.peak()).isGreaterThan(64 << 10); // the budget was actually reached
    } finally {
      for (Db d : dbs) {
        d.db().close();
        d.store().close();
      }
    }
    assertThat(res.memtableBytes()).isZero();
  }

  @Test
  void aTinyMemtableBudgetKeepsManyWritersWithinItWithoutDeadlock() throws Exception {
    long budgetBytes = 4 << 10;
    try (IsleResources res =
        IsleResources.create(SIZES.withMemtableBudgetBytes(budgetBytes).withFlushThreads(1))) {
      List<IsleDB> dbs = new ArrayList<>();
      List<Writer> writers = new ArrayList<>();
      for (int i = 0; i < DATABASES; i++) {
        IsleDB db = IsleDB.open(new InMemoryObjectStore(), DBOptions.defaults(), res);
        dbs.add(db);
        writers.add(db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO)));
      }
      ExecutorService clients = Executors.newFixedThreadPool(DATABASES);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (Writer w : writers) {
          done.add(
              clients.submit(
                  () -> {
                    for (int n = 0; n < 20; n++) {
                      w.put(bytes(String.format("k%03d", n)), bytes(PAD));
                    }
                  }));
        }
        for (Future<?> f : done) {
          f.get(120, TimeUnit.SECONDS); // a deadlock fails here
        }
      } finally {
        clients.shutdownNow();
      }
      MemtableBudget budget = ((SharedResourcesImpl) res).budget();
      // Over the budget by at most one entry (about 1.1 KiB) per writing thread.
      assertThat(budget.peak()).isLessThanOrEqualTo(budgetBytes + DATABASES * 1200L);
      for (IsleDB db : dbs) {
        db.close(); // flushes what is left
      }
      assertThat(res.memtableBytes()).isZero();
    }
  }

  private static void writeAndRead(Db d, int dbIndex, Random rnd, IsleResources res) {
    byte[] filler = new byte[1000];
    for (int round = 0; round < 4; round++) {
      for (int n = 0; n < 60; n++) {
        String k = String.format("k%05d", rnd.nextInt(400));
        rnd.nextBytes(filler);
        String v = "db" + dbIndex + "-" + round + "-" + n + "-" + hex(filler) + PAD;
        if (rnd.nextInt(10) == 0) {
          d.writer().delete(bytes(k));
          d.model().remove(k);
        } else {
          d.writer().put(bytes(k), bytes(v));
          d.model().put(k, v);
        }
      }
      d.writer().flush();
      d.reader().refresh();
      assertModel(d, "db " + dbIndex + " round " + round);
    }
  }

  private static void assertModel(Db d, String what) {
    for (Map.Entry<String, String> e : d.model().entrySet()) {
      assertThat(d.reader().get(bytes(e.getKey())).map(SharedResourcesTest::string))
          .as(what + " key " + e.getKey())
          .contains(e.getValue());
    }
    List<String> scanned = new ArrayList<>();
    try (KvIterator it = d.reader().scan(bytes(""), bytes("z"))) {
      while (it.hasNext()) {
        KV kv = it.next();
        scanned.add(string(kv.key()) + "=" + string(kv.value()));
      }
    }
    List<String> expected = new ArrayList<>();
    d.model().forEach((k, v) -> expected.add(k + "=" + v));
    assertThat(scanned).as(what).isEqualTo(expected);
  }

  static long sharedThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(SharedResourcesImpl.THREAD_PREFIX))
        .count();
  }

  /** Threads the roles of these databases would have created without shared resources. */
  private static List<String> privateRoleThreads(List<Db> dbs) {
    List<String> names = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String n = t.getName();
      if (!t.isAlive() || !n.startsWith("isledb-") || n.startsWith("isledb-shared-")) {
        continue;
      }
      for (Db d : dbs) {
        if (n.endsWith(" " + d.store().location())) {
          names.add(n);
        }
      }
    }
    return names;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String string(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      sb.append(Integer.toHexString(b[i] & 0xff));
    }
    return sb.toString();
  }
}
