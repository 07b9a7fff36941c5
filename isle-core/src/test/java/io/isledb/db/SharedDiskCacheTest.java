package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleResources;
import io.isledb.IsleResourcesOptions;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RequestStats;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.SstMeta;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.SeededIds;
import io.isledb.testing.Seeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One disk cache shared by the databases of one {@link IsleResources}: databases with equal table
 * ids never read each other's files, the global budget bounds the files of all of them, and a table
 * cached once (downloaded or written through) is read from the shared cache by every reader of its
 * database without a request.
 */
class SharedDiskCacheTest {
  private static final int KEYS = 2_000;
  private static final WriterOptions WO =
      WriterOptions.defaults()
          .withFlushInterval(Duration.ZERO)
          .withMemtableSize(64 << 10)
          .withBlockSize(1024);

  @TempDir Path dir;

  /** A database with its writer and the model of what it holds. */
  private record Db(ObjectStore store, IsleDB db, Writer writer, TreeMap<String, byte[]> model) {}

  private IsleResources resources(long diskCacheBytes) {
    return IsleResources.create(
        IsleResourcesOptions.defaults()
            .withFlushThreads(1)
            .withCompactionThreads(1)
            .withMaintenanceThreads(1)
            .withDownloadThreads(1)
            .withBlockCacheBytes(0) // every read goes to the table files: the disk cache is tested
            .withDiskCacheDir(dir.resolve("shared-cache"))
            .withDiskCacheBytes(diskCacheBytes));
  }

  private ObjectStore store(IsleResources res, boolean file, int i) {
    return file
        ? res.openStore("file://" + dir.resolve("data"), "db" + i, Map.of())
        : new InMemoryObjectStore();
  }

  /**
   * Opens database {@code i}: the same table ids as every other database (one id sequence seeded
   * alike), and values of the same length but different bytes, so a file of another database would
   * pass the cache's size check and return wrong values.
   */
  private static Db open(IsleResources res, ObjectStore store, int i, WriterOptions wo) {
    DBOptions opts = DBOptions.defaults().withIdSource(SeededIds.of(42));
    IsleDB db = IsleDB.open(store, opts, res);
    return new Db(store, db, db.openWriter(wo), new TreeMap<>());
  }

  private static void fill(Db d, int i, long seed) {
    Random rnd = new Random(seed + i);
    for (int k = 0; k < KEYS; k++) {
      byte[] v = new byte[64];
      rnd.nextBytes(v);
      v[0] = (byte) i;
      String key = String.format("key-%06d", k);
      d.writer().put(b(key), v);
      d.model().put(key, v);
    }
    d.writer().flush();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Reads every key of the model through {@code r}; returns the GETs it cost. */
  private static long readAll(Reader r, Db d, String what) {
    RequestStats before = d.store().stats();
    for (Map.Entry<String, byte[]> e : d.model().entrySet()) {
      assertThat(r.get(b(e.getKey())))
          .as("%s key %s", what, e.getKey())
          .hasValueSatisfying(v -> assertThat(v).isEqualTo(e.getValue()));
    }
    return d.store().stats().minus(before).gets();
  }

  private static List<String> tableIds(ObjectStore store) {
    return new Manifest(store).loadLatest().allTables().stream().map(SstMeta::id).toList();
  }

  private long filesOnDisk() throws IOException {
    try (Stream<Path> s = Files.walk(dir.resolve("shared-cache"))) {
      return s.filter(Files::isRegularFile)
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  return 0; // evicted meanwhile
                }
              })
          .sum();
    }
  }

  @ParameterizedTest(name = "file:// {0}")
  @ValueSource(booleans = {false, true})
  void databasesWithEqualTableIdsReadOnlyTheirOwnFiles(boolean file) throws Exception {
    long seed = Seeds.seed(0xd15c_0001L);
    try (IsleResources res = resources(64L << 20)) {
      List<Db> dbs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Db d = open(res, store(res, file, i), i, WO);
        fill(d, i, seed);
        dbs.add(d);
      }
      List<String> ids0 = tableIds(dbs.get(0).store());
      assertThat(ids0).as("several tables").hasSizeGreaterThan(2);
      for (Db d : dbs) {
        assertThat(tableIds(d.store())).as("identical table ids").isEqualTo(ids0);
      }
      assertThat(res.diskCacheBytes()).as("write-through filled the shared cache").isPositive();
      for (int i = 0; i < dbs.size(); i++) {
        Db d = dbs.get(i);
        try (Reader r = d.db().openReader(ReaderOptions.defaults())) {
          readAll(r, d, "db " + i + " seed " + seed);
        }
        try (Reader r = d.db().openReader(ReaderOptions.defaults().withDiskCacheBytes(0))) {
          readAll(r, d, "db " + i + " again, seed " + seed);
        }
      }
      for (Db d : dbs) {
        d.writer().close();
        d.db().close();
        d.store().close();
      }
    }
  }

  @ParameterizedTest(name = "file:// {0}")
  @ValueSource(booleans = {false, true})
  void theGlobalBudgetBoundsTheFilesOfEveryDatabase(boolean file) throws Exception {
    long seed = Seeds.seed(0xd15c_0002L);
    // No write-through: the readers' downloads alone fill the cache.
    WriterOptions wo = WO.withCache(ReaderOptions.defaults().withDiskCacheBytes(0));
    long budget;
    List<Db> dbs = new ArrayList<>();
    try (IsleResources probe = IsleResources.create(IsleResourcesOptions.defaults())) {
      Db d = open(probe, new InMemoryObjectStore(), 0, wo);
      fill(d, 0, seed);
      long oneDb =
          new Manifest(d.store()).loadLatest().allTables().stream().mapToLong(SstMeta::size).sum();
      budget = oneDb * 3 / 2; // room for one and a half databases' tables
      d.writer().close();
      d.db().close();
    }
    try (IsleResources res = resources(budget)) {
      for (int i = 0; i < 4; i++) {
        Db d = open(res, store(res, file, i), i, wo);
        fill(d, i, seed);
        dbs.add(d);
      }
      assertThat(res.diskCacheBytes()).as("nothing written through").isZero();
      long peak = 0;
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < dbs.size(); i++) {
          Db d = dbs.get(i);
          try (Reader r = d.db().openReader(ReaderOptions.defaults())) {
            long gets = readAll(r, d, "round " + round + " db " + i + " seed " + seed);
            if (round == 1) {
              assertThat(gets).as("db %d was evicted by the others", i).isPositive();
            }
          }
          peak = Math.max(peak, res.diskCacheBytes());
          assertThat(res.diskCacheBytes()).isLessThanOrEqualTo(budget);
          assertThat(filesOnDisk()).isLessThanOrEqualTo(budget);
        }
      }
      assertThat(peak).as("the cache was filled").isGreaterThan(budget / 2);
      for (Db d : dbs) {
        d.writer().close();
        d.db().close();
        d.store().close();
      }
    }
  }

  @Test
  void aSecondReaderOfTheSameFileDatabaseReadsTheSharedCacheWithoutARequest() {
    long seed = Seeds.seed(0xd15c_0003L);
    WriterOptions wo = WO.withCache(ReaderOptions.defaults().withDiskCacheBytes(0));
    try (IsleResources res = resources(64L << 20)) {
      Db d = open(res, store(res, true, 0), 0, wo);
      fill(d, 0, seed);
      d.writer().close();
      try (Reader r = d.db().openReader(ReaderOptions.defaults())) {
        assertThat(readAll(r, d, "first reader")).as("the first reader downloads").isPositive();
      }
      // Another store instance and database object of the same location: the same cached files.
      Db again = open(res, store(res, true, 0), 0, wo);
      again.writer().close();
      again.model().putAll(d.model());
      try (Reader r = again.db().openReader(ReaderOptions.defaults())) {
        assertThat(readAll(r, again, "second reader")).isZero();
      }
      // A database elsewhere with the same table ids reads its own data.
      Db other = open(res, store(res, true, 1), 1, wo);
      fill(other, 1, seed + 7);
      try (Reader r = other.db().openReader(ReaderOptions.defaults())) {
        assertThat(readAll(r, other, "other database")).isPositive();
      }
      for (Db x : List.of(d, again, other)) {
        x.writer().close();
        x.db().close();
        x.store().close();
      }
    }
  }

  @Test
  void writeThroughFillsTheSharedCacheForEveryReaderOfTheDatabase() {
    long seed = Seeds.seed(0xd15c_0004L);
    try (IsleResources res = resources(64L << 20)) {
      Db d = open(res, new InMemoryObjectStore(), 0, WO);
      Db other = open(res, new InMemoryObjectStore(), 1, WO);
      fill(other, 1, seed + 1);
      long before = res.diskCacheBytes();
      fill(d, 0, seed);
      long tables =
          new Manifest(d.store()).loadLatest().allTables().stream().mapToLong(SstMeta::size).sum();
      assertThat(res.diskCacheBytes() - before).isEqualTo(tables);
      try (Reader r = d.db().openReader(ReaderOptions.defaults())) {
        assertThat(readAll(r, d, "reader of the writer's database")).isZero();
      }
      try (Reader r = other.db().openReader(ReaderOptions.defaults())) {
        assertThat(readAll(r, other, "reader of the other database")).isZero();
      }
      for (Db x : List.of(d, other)) {
        x.writer().close();
        x.db().close();
      }
    }
  }

  @Test
  void aPrivateTemporaryDirectoryIsDeletedAtClose() {
    Path created;
    try (IsleResources res =
        IsleResources.create(IsleResourcesOptions.defaults().withDiskCacheBytes(1 << 20))) {
      Db d = open(res, new InMemoryObjectStore(), 0, WO);
      fill(d, 0, 1);
      assertThat(res.diskCacheBytes()).isPositive();
      created = ((SharedResourcesImpl) res).diskCacheDirectory();
      assertThat(created).exists();
      d.writer().close();
      d.db().close();
    }
    assertThat(created).doesNotExist();
  }
}
