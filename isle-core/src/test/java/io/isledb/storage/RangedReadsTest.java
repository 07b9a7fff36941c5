package io.isledb.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RangedReads} handles answer exactly like {@link ObjectStore#getRange(String, long, long,
 * int)} (bytes, truncation, missing objects, errors, request counts) on {@code file://}, where they
 * keep the file open, and on other stores, where they delegate.
 */
class RangedReadsTest {
  @TempDir Path dir;

  private static final long SEED = 20261130L;

  private static byte[] data(int n) {
    byte[] b = new byte[n];
    new SplittableRandom(SEED).nextBytes(b);
    return b;
  }

  private ObjectStore fileStore() {
    return IsleDB.openStore(dir.toUri().toString(), "db");
  }

  @Test
  void localHandleReadsWhatGetRangeReadsAndCountsOneRangedGetEach() {
    byte[] obj = data(100_000);
    try (ObjectStore store = fileStore()) {
      store.put("sstable/t.sst", obj);
      try (RangedReads.Handle h = RangedReads.open(store, "sstable/t.sst", obj.length)) {
        assertThat(h.getClass().getSimpleName()).isEqualTo("LocalHandle");
        SplittableRandom rnd = new SplittableRandom(SEED);
        for (int i = 0; i < 200; i++) {
          long off = rnd.nextLong(obj.length);
          int len = rnd.nextInt(1, 40_000); // some reach past the end: fewer bytes, like getRange
          RequestStats before = store.stats();
          Optional<byte[]> got = h.read(off, len);
          RequestStats cost = store.stats().minus(before);
          assertThat(cost.count(RequestKind.GET_RANGE)).as("read %d at %d", len, off).isEqualTo(1);
          assertThat(cost.total()).isEqualTo(1);
          assertThat(got).hasValueSatisfying(b -> assertThat(b).isEqualTo(expected(obj, off, len)));
          assertThat(cost.bytesRead()).isEqualTo(got.get().length);
          assertThat(got.get())
              .isEqualTo(store.getRange("sstable/t.sst", obj.length, off, len).get());
        }
      }
    }
  }

  private static byte[] expected(byte[] obj, long off, int len) {
    return Arrays.copyOfRange(obj, (int) off, (int) Math.min(obj.length, off + len));
  }

  @Test
  void missingObjectReadsAsEmptyAndAShorterFileAsTruncated() throws Exception {
    try (ObjectStore store = fileStore()) {
      try (RangedReads.Handle h = RangedReads.open(store, "sstable/none.sst", 1000)) {
        assertThat(h.read(0, 10)).isEmpty();
      }
      store.put("sstable/short.sst", data(100));
      // The manifest says 1000 bytes, the file has 100: the reader sees the truncation.
      try (RangedReads.Handle h = RangedReads.open(store, "sstable/short.sst", 1000)) {
        assertThat(h.read(50, 100)).hasValueSatisfying(b -> assertThat(b).hasSize(50));
      }
    }
  }

  @Test
  void anOpenedObjectKeepsReadingAfterItsHandleClosesOrTheNameIsDeleted() {
    byte[] obj = data(10_000);
    try (ObjectStore store = fileStore()) {
      store.put("sstable/t.sst", obj);
      RangedReads.Handle h = RangedReads.open(store, "sstable/t.sst", obj.length);
      assertThat(h.read(0, 100).get()).isEqualTo(expected(obj, 0, 100));
      // Another thread may still read while the table's owner closes the handle: it gets its bytes.
      h.close();
      assertThat(h.read(100, 100).get()).isEqualTo(expected(obj, 100, 100));
      // A new handle opens at its first read: a deleted object reads as missing, like getRange.
      RangedReads.Handle h2 = RangedReads.open(store, "sstable/t.sst", obj.length);
      store.delete("sstable/t.sst");
      assertThat(h2.read(0, 10)).isEmpty();
      h2.close();
    }
  }

  @Test
  void anInterruptedReaderDoesNotBreakTheOthers() throws Exception {
    byte[] obj = data(50_000);
    try (ObjectStore store = fileStore()) {
      store.put("sstable/t.sst", obj);
      try (RangedReads.Handle h = RangedReads.open(store, "sstable/t.sst", obj.length)) {
        assertThat(h.read(0, 10)).isPresent();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t =
            new Thread(
                () -> {
                  Thread.currentThread().interrupt();
                  try {
                    h.read(0, 40_000);
                  } catch (Throwable e) {
                    failure.set(e);
                  }
                });
        t.start();
        t.join();
        // The interrupt closes a shared FileChannel; the interrupted read fails as unavailable...
        assertThat(failure.get()).isInstanceOf(IsleException.class);
        assertThat(((IsleException) failure.get()).kind())
            .isEqualTo(IsleException.Kind.UNAVAILABLE);
        // ...and every other reader goes on.
        assertThat(h.read(1000, 5000).get()).isEqualTo(expected(obj, 1000, 5000));
      }
    }
  }

  @Test
  void readsOfAClosedStoreAreRefused() throws Exception {
    byte[] obj = data(1000);
    ObjectStore store = fileStore();
    store.put("sstable/t.sst", obj);
    RangedReads.Handle h = RangedReads.open(store, "sstable/t.sst", obj.length);
    assertThat(h.read(0, 10)).isPresent();
    store.close();
    assertThatThrownBy(() -> h.read(0, 10))
        .isInstanceOfSatisfying(
            IsleException.class, e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.CLOSED));
    h.close();
    assertThat(Files.exists(dir.resolve("db/sstable/t.sst"))).isTrue();
  }

  @Test
  void otherStoresReadThroughGetRange() {
    byte[] obj = data(5000);
    InMemoryObjectStore store = new InMemoryObjectStore();
    store.put("sstable/t.sst", obj);
    try (RangedReads.Handle h = RangedReads.open(store, "sstable/t.sst", obj.length)) {
      RequestStats before = store.stats();
      assertThat(h.read(10, 20).get()).isEqualTo(expected(obj, 10, 20));
      assertThat(store.stats().minus(before).count(RequestKind.GET_RANGE)).isEqualTo(1);
      assertThat(RangedReads.open(store, "sstable/none.sst", 10).read(0, 5)).isEmpty();
    }
  }
}
