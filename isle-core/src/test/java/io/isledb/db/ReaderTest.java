package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.CommittedLsnExtractor;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.ReaderStats;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import io.isledb.RetentionCompactor;
import io.isledb.RetentionCompactorOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.Awaiting;
import io.isledb.testing.MutableClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReaderTest {
  @TempDir Path cacheDir;
  private final InMemoryObjectStore store = new InMemoryObjectStore();
  private final WriterOptions wo =
      WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlockSize(1024);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] key(int i) {
    return b(String.format("key%06d", i));
  }

  /** One table of {@code n} keys with 100-byte values (about n * 110 bytes before compression). */
  private void writeTable(IsleDB db, int from, int n) {
    try (Writer w = db.openWriter(wo)) {
      byte[] v = new byte[100];
      for (int i = from; i < from + n; i++) {
        ByteBuffer.wrap(v).putInt(i);
        w.put(key(i), v.clone());
      }
    }
  }

  private long requests(RequestStats before) {
    return store.stats().minus(before).total();
  }

  @Test
  void idleRefreshCostsOneRequest() {
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      writeTable(db, 0, 10);
      try (Reader r = db.openReader(ReaderOptions.defaults())) {
        RequestStats before = store.stats();
        long v = r.refresh();
        assertThat(v).isEqualTo(r.version());
        assertThat(requests(before)).isEqualTo(1);
      }
    }
  }

  @Test
  void coldPointLookupReadsTheTailOnceThenOneBlock() {
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      writeTable(db, 0, 20_000);
      ReaderOptions ro = ReaderOptions.defaults().withSmallTableBytes(0).withDiskCacheBytes(0);
      try (Reader r = db.openReader(ro)) {
        RequestStats before = store.stats();
        assertThat(r.get(key(12_345))).isPresent();
        RequestStats cost = store.stats().minus(before);
        assertThat(cost.count(RequestKind.GET_RANGE))
            .as("open (one tail read) + one block")
            .isEqualTo(2);
        assertThat(cost.total()).isEqualTo(2);
        before = store.stats();
        assertThat(r.get(b("key999999x"))).isEmpty(); // outside the table's range: no I/O
        assertThat(r.get(b("key012345a")))
            .isEmpty(); // inside the range, rejected by the bloom (or one block)
        assertThat(requests(before)).isLessThanOrEqualTo(1);
        before = store.stats();
        assertThat(r.get(key(12_345))).isPresent(); // cached block
        assertThat(requests(before)).isZero();
      }
    }
  }

  @Test
  void smallTablesAreDownloadedWholeAndServedFromTheDiskCacheAfterRestart() throws IOException {
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      writeTable(db, 0, 500);
      ReaderOptions ro = ReaderOptions.defaults().withCacheDir(cacheDir);
      try (Reader r = db.openReader(ro)) {
        RequestStats before = store.stats();
        for (int i = 0; i < 500; i += 50) {
          assertThat(r.get(key(i))).isPresent();
        }
        assertThat(requests(before)).as("one whole-file read serves everything").isEqualTo(1);
        assertThat(r.stats().downloads()).isEqualTo(1);
      }
      try (Reader again = db.openReader(ro)) {
        RequestStats before = store.stats();
        assertThat(again.get(key(7))).isPresent();
        assertThat(requests(before)).as("served from the disk cache of the earlier run").isZero();
        assertThat(again.stats().diskCacheHits()).isEqualTo(1);
      }
      // A damaged cached file is detected by its checksum and replaced from storage.
      try (Stream<Path> files = Files.list(cacheDir.resolve("sst"))) {
        Path f = files.filter(p -> p.toString().endsWith(".sst")).findFirst().orElseThrow();
        byte[] data = Files.readAllBytes(f);
        data[data.length / 2] ^= 0x40;
        Files.write(f, data);
      }
      try (Reader third = db.openReader(ro)) {
        RequestStats before = store.stats();
        assertThat(third.get(key(7))).isPresent();
        assertThat(requests(before)).isEqualTo(1);
        assertThat(third.stats().diskCacheHits()).isZero();
      }
    }
  }

  @Test
  void hotTablesMoveToTheDiskCacheAndTheCacheStaysBounded() throws Exception {
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      writeTable(db, 0, 20_000);
      writeTable(db, 20_000, 20_000);
      ReaderOptions ro =
          ReaderOptions.defaults()
              .withCacheDir(cacheDir)
              .withSmallTableBytes(0)
              .withHotTableReads(3)
              .withBlockCacheBytes(0);
      try (Reader r = db.openReader(ro)) {
        long tableSize = store.stats().bytesWritten(); // both tables and manifest; an upper bound
        for (int i = 0; i < 40_000; i += 997) {
          assertThat(r.get(key(i))).isPresent();
        }
        // Downloads run in the background; wait (bounded) for both to be counted.
        Awaiting.until(
            () -> r.stats().downloads() >= 2,
            Duration.ofSeconds(30),
            () -> "both hot tables downloaded; reader stats " + r.stats());
        assertThat(r.stats().downloads()).isEqualTo(2);
        assertThat(r.stats().diskCacheBytes()).isLessThanOrEqualTo(tableSize);
      }
      // A cache smaller than one table keeps nothing: bounded, reads still work.
      try (Reader tiny =
          db.openReader(ro.withDiskCacheBytes(64 * 1024).withCacheDir(cacheDir.resolve("tiny")))) {
        for (int i = 0; i < 40_000; i += 997) {
          assertThat(tiny.get(key(i))).isPresent();
        }
        ReaderStats s = tiny.stats();
        assertThat(s.diskCacheBytes()).isLessThanOrEqualTo(64 * 1024);
      }
    }
  }

  @Test
  void snapshotIsUnaffectedByLaterWritesAndRefreshes() {
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults());
        Writer w = db.openWriter(wo);
        Reader r = db.openReader(ReaderOptions.defaults())) {
      w.put(b("a"), b("1"));
      w.flush();
      r.refresh();
      try (ReadView snap = r.snapshot()) {
        w.put(b("a"), b("2"));
        w.delete(b("missing"));
        w.flush();
        r.refresh();
        assertThat(snap.get(b("a"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("1")));
        assertThat(r.get(b("a"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("2")));
        assertThat(snap.version()).isLessThan(r.version());
      }
    }
  }

  @Test
  void committedLsnAndLowWatermarkComeFromCurrentInOneRead() {
    MutableClock clock = new MutableClock(1_000_000);
    DBOptions dbo =
        DBOptions.defaults()
            .withClock(clock)
            .withLsnExtractor(CommittedLsnExtractor.bigEndianUint64());
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(wo);
        Reader r = db.openReader(ReaderOptions.defaults())) {
      assertThat(r.maxCommittedLsn()).isEmpty();
      for (long lsn = 1; lsn <= 30; lsn++) {
        w.put(ByteBuffer.allocate(8).putLong(lsn).array(), b("event" + lsn));
        if (lsn % 10 == 0) {
          w.flush();
          clock.advance(Duration.ofHours(1));
        }
      }
      RequestStats before = store.stats();
      assertThat(r.maxCommittedLsn()).hasValue(30);
      assertThat(requests(before)).isEqualTo(1);
      try (RetentionCompactor rc =
          db.openRetentionCompactor(RetentionCompactorOptions.byAge(Duration.ofMinutes(90), 1))) {
        assertThat(rc.runOnce()).isPresent();
      }
      assertThat(r.lowWatermarkLsn()).hasValue(21);
    }
  }

  @Test
  void readerAtACollectedVersionRefreshesAndRetries() {
    try (IsleDB db = IsleDB.open(store, DBOptions.defaults());
        Writer w = db.openWriter(wo);
        Reader r =
            db.openReader(ReaderOptions.defaults().withSmallTableBytes(0).withBlockCacheBytes(0))) {
      w.put(b("a"), b("1"));
      w.flush();
      r.refresh();
      // Rewrite the data into a new table and remove the old one, as compaction + GC would.
      w.put(b("a"), b("2"));
      w.flush();
      List<io.isledb.manifest.SstMeta> tables =
          new io.isledb.manifest.Manifest(store).loadLatest().l0();
      store.delete(tables.get(1).objectName());
      // The reader's version still names the deleted table: it refreshes and finds the new value.
      assertThat(r.get(b("a"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("2")));
    }
  }
}
