package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CompactorOptions;
import io.isledb.CorruptionException;
import io.isledb.DBOptions;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RetentionCompactorOptions;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.testing.HookedObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every process on a database must use the same GC grace period: GC deletes unreferenced objects a
 * grace period after first seeing them, writers commit within half of theirs, authors and readers
 * trust a free log slot for half of theirs. A writer with a longer grace period than GC's commits
 * uploads GC has already deleted. The database records the grace period of its first author in
 * {@code manifest/settings.json}; a process with another one is refused. Each test opens two {@link
 * IsleDB}s on two store instances (two "processes") on the same location.
 */
abstract class GracePeriodContractBase {
  static final String SETTINGS = "manifest/settings.json";

  @TempDir Path cache;

  /** A new store instance on the location of this test (the same every call within a test). */
  protected abstract ObjectStore openStore();

  private static DBOptions grace(Duration d) {
    return DBOptions.defaults().withGcGracePeriod(d);
  }

  private static final DBOptions TEN = grace(Duration.ofMinutes(10));
  private static final DBOptions FIVE = grace(Duration.ofMinutes(5));

  private static void assertRefused(ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
        .hasMessageContaining("gcGracePeriod")
        .hasMessageContaining("PT5M")
        .hasMessageContaining("PT10M")
        .hasMessageContaining(SETTINGS);
  }

  private static void writeOne(IsleDB db) {
    try (Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      w.put("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
      w.flush();
    }
  }

  @Test
  void aSecondProcessWithAnotherGracePeriodIsRefused() {
    try (ObjectStore s1 = openStore();
        ObjectStore s2 = openStore();
        IsleDB first = IsleDB.open(s1, TEN);
        IsleDB second = IsleDB.open(s2, FIVE)) {
      writeOne(first);
      assertThat(s1.get(SETTINGS)).as("the first author recorded its grace period").isPresent();

      assertRefused(() -> second.openWriter(WriterOptions.defaults()));
      assertRefused(() -> second.openCompactor(CompactorOptions.defaults()));
      assertRefused(
          () ->
              second.openRetentionCompactor(
                  RetentionCompactorOptions.byAge(Duration.ofDays(1), 1)));
      assertRefused(() -> second.openGarbageCollector(GcOptions.defaults()));
      // A valid handle (built by the first process), so the refusal is the grace period's and not
      // the commit's own argument check.
      List<SstHandle> handles;
      try (SstWriter sw = first.newSstWriter(SstWriterOptions.defaults())) {
        sw.put("x".getBytes(StandardCharsets.UTF_8), "y".getBytes(StandardCharsets.UTF_8));
        handles = sw.finish();
      }
      assertRefused(() -> second.commit(handles, "t"));
      assertRefused(() -> second.openReader(ReaderOptions.defaults().withCacheDir(cache)));
      assertRefused(() -> second.openTailingReader(TailingReaderOptions.defaults()));
      assertRefused(
          () -> IsleDB.openReader(s2, ReaderOptions.defaults().withCacheDir(cache), FIVE));
      assertRefused(() -> IsleDB.openTailingReader(s2, TailingReaderOptions.defaults(), FIVE));
      assertThat(first.currentVersion())
          .as("nothing was appended by the refused process")
          .isEqualTo(2);

      // A process that did not choose a grace period (the overloads without DBOptions) takes the
      // database's.
      try (Reader r = IsleDB.openReader(s2, ReaderOptions.defaults().withCacheDir(cache));
          TailingReader t = IsleDB.openTailingReader(s2, TailingReaderOptions.defaults())) {
        assertThat(r.get("k".getBytes(StandardCharsets.UTF_8))).isPresent();
        assertThat(t.latest().version()).isEqualTo(3);
      }
    }
    // The same grace period is accepted.
    try (ObjectStore s3 = openStore();
        IsleDB again = IsleDB.open(s3, TEN)) {
      writeOne(again);
    }
  }

  @Test
  void theFirstAuthorOfAnOldDatabaseRecordsItsGracePeriod() {
    try (ObjectStore s1 = openStore();
        IsleDB old = IsleDB.open(s1, TEN)) {
      writeOne(old);
      s1.delete(SETTINGS); // a database written before the grace period was recorded
      try (Reader r = old.openReader(ReaderOptions.defaults().withCacheDir(cache))) {
        assertThat(r.version()).isEqualTo(2);
      }
    }
    try (ObjectStore s2 = openStore();
        IsleDB reader = IsleDB.open(s2, FIVE)) {
      // Readers of an old database use their own setting and record nothing.
      try (Reader r = reader.openReader(ReaderOptions.defaults().withCacheDir(cache))) {
        assertThat(r.version()).isEqualTo(2);
      }
      assertThat(s2.get(SETTINGS)).isEmpty();
    }
    try (ObjectStore s3 = openStore();
        ObjectStore s4 = openStore();
        IsleDB upgraded = IsleDB.open(s3, FIVE);
        IsleDB other = IsleDB.open(s4, TEN)) {
      writeOne(upgraded);
      assertThat(s3.get(SETTINGS)).isPresent();
      assertThatThrownBy(() -> other.openWriter(WriterOptions.defaults()))
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
          .hasMessageContaining("PT5M")
          .hasMessageContaining("PT10M");
    }
  }

  /**
   * The check costs one GET per {@code IsleDB} (the first role it opens), not one per role or per
   * write.
   */
  @Test
  void theSettingsAreReadOncePerDatabaseObject() {
    AtomicInteger reads = new AtomicInteger();
    try (ObjectStore s1 = openStore()) {
      try (IsleDB creator = IsleDB.open(s1, TEN)) {
        writeOne(creator);
      }
      HookedObjectStore counted =
          new HookedObjectStore(
              s1,
              (op, phase, name) -> {
                if (name.equals(SETTINGS)
                    && phase == HookedObjectStore.Phase.BEFORE
                    && op != HookedObjectStore.Op.LIST) {
                  reads.incrementAndGet();
                }
              });
      try (IsleDB db = IsleDB.open(counted, TEN)) {
        writeOne(db);
        db.openCompactor(CompactorOptions.defaults()).close();
        db.openGarbageCollector(GcOptions.defaults()).close();
        db.openReader(ReaderOptions.defaults().withCacheDir(cache)).close();
        db.openTailingReader(TailingReaderOptions.defaults()).close();
        writeOne(db);
      }
      assertThat(reads.get()).as("requests for %s", SETTINGS).isEqualTo(1);
    }
  }

  @Test
  void anUnreadableSettingsObjectRefusesAuthors() {
    try (ObjectStore s1 = openStore();
        IsleDB db = IsleDB.open(s1, TEN)) {
      s1.put(SETTINGS, "{\"format\":1".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> db.openWriter(WriterOptions.defaults()))
          .isInstanceOf(CorruptionException.class)
          .hasMessageContaining(SETTINGS);
    }
  }
}
