package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.FencedException;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.FaultInjectingObjectStore;
import io.isledb.storage.FaultInjectingObjectStore.Operation;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.Awaiting;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WriterTest {
  private static final WriterOptions MANUAL =
      WriterOptions.defaults().withFlushInterval(Duration.ZERO);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static DBOptions dbo() {
    return DBOptions.defaults().withIdSource(Ids.seededSource(1));
  }

  @Test
  void rejectsBadInputWithSpecificErrorsAndLosesNothing() {
    try (ObjectStore store = new InMemoryObjectStore();
        IsleDB db = IsleDB.open(store, dbo());
        Writer w = db.openWriter(MANUAL)) {
      w.put(b("good"), b("1"));
      assertThatThrownBy(() -> w.put(null, b("v")))
          .isInstanceOf(IsleException.class)
          .hasMessageContaining("key must not be null");
      assertThatThrownBy(() -> w.put(b("k"), null)).hasMessageContaining("value for key 0x6b");
      byte[] bigKey = new byte[WriterOptions.MAX_KEY_SIZE + 1];
      assertThatThrownBy(() -> w.put(bigKey, b("v")))
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
          .hasMessageContaining("65537 bytes; the limit is 65536");
      assertThatThrownBy(() -> w.put(b("k"), b("v"), Duration.ZERO))
          .hasMessageContaining("ttl for key");
      assertThatThrownBy(() -> w.delete(null)).hasMessageContaining("key must not be null");
      byte[] hugeValue = new byte[WriterOptions.MAX_VALUE_SIZE + 1];
      assertThatThrownBy(() -> w.put(b("huge"), hugeValue))
          .hasMessageContaining("268435457 bytes; the limit is 268435456");
      // A key of exactly the limit and an empty value are fine.
      w.put(new byte[WriterOptions.MAX_KEY_SIZE], new byte[0]);
      w.flush();
      try (Reader r = db.openReader(ReaderOptions.defaults())) {
        assertThat(r.get(b("good"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("1")));
        assertThat(r.get(new byte[WriterOptions.MAX_KEY_SIZE]))
            .hasValueSatisfying(v -> assertThat(v).isEmpty());
      }
      w.close();
      assertThatThrownBy(() -> w.put(b("k"), b("v")))
          .isInstanceOfSatisfying(
              IsleException.class, e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.CLOSED));
    }
  }

  @Test
  void flushCostsOneTablePutAndOneLogCreate() {
    InMemoryObjectStore store = new InMemoryObjectStore();
    try (IsleDB db = IsleDB.open(store, dbo().withSnapshotEvery(1000));
        Writer w = db.openWriter(MANUAL)) {
      RequestStats before = store.stats();
      w.flush(); // nothing buffered: no request at all
      assertThat(store.stats().minus(before).total()).isZero();
      for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 1000; i++) {
          w.put(b("k" + round + "-" + i), new byte[100]);
        }
        before = store.stats();
        w.flush();
        RequestStats cost = store.stats().minus(before);
        assertThat(cost.count(RequestKind.UPLOAD)).as("table uploads").isEqualTo(1);
        assertThat(cost.count(RequestKind.CREATE_IF_ABSENT)).as("log appends").isEqualTo(1);
        assertThat(cost.total()).as("all requests of one flush: %s", cost.counts()).isEqualTo(2);
      }
    }
  }

  @Test
  void snapshotAndCurrentAreWrittenEveryNEdits() {
    InMemoryObjectStore store = new InMemoryObjectStore();
    try (IsleDB db = IsleDB.open(store, dbo().withSnapshotEvery(4));
        Writer w = db.openWriter(MANUAL)) {
      RequestStats before = store.stats();
      for (int i = 0; i < 8; i++) {
        w.put(b("k" + i), b("v"));
        w.flush();
      }
      RequestStats cost = store.stats().minus(before);
      // 8 flushes: 8 uploads, 8 log creates, 2 snapshots (creates) and 2 CURRENT puts.
      assertThat(cost.count(RequestKind.UPLOAD)).isEqualTo(8);
      assertThat(cost.count(RequestKind.CREATE_IF_ABSENT)).isEqualTo(8 + 2);
      assertThat(cost.count(RequestKind.PUT)).isEqualTo(2);
    }
  }

  @Test
  void putBlocksWhileTooManyMemtablesWaitAndNeverDropsData() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch uploadHeld = new CountDownLatch(1);
    FaultInjectingObjectStore store =
        FaultInjectingObjectStore.builder(new InMemoryObjectStore())
            .seed(3)
            .latency(Operation.UPLOAD, Duration.ofMillis(1))
            .sleeper(
                d -> {
                  uploadHeld.countDown();
                  gate.await();
                })
            .build();
    WriterOptions wo = MANUAL.withMemtableSize(64 * 1024).withMaxImmutableMemtables(1);
    try (IsleDB db = IsleDB.open(store, dbo());
        Writer w = db.openWriter(wo)) {
      AtomicInteger written = new AtomicInteger();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread t =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < 2000; i++) {
                    w.put(b(String.format("key%05d", i)), new byte[200]);
                    written.incrementAndGet();
                  }
                } catch (Throwable e) {
                  failure.set(e);
                }
              });
      t.start();
      // The uploads are held at the gate, so the writer must block the put thread (memory bound).
      assertThat(uploadHeld.await(30, TimeUnit.SECONDS)).as("an upload reached the gate").isTrue();
      Awaiting.until(
          () -> t.getState() == Thread.State.WAITING || !t.isAlive(),
          Duration.ofSeconds(30),
          () -> "put thread blocked by backpressure; it is " + t.getState() + ", " + written);
      assertThat(t.getState()).as("put blocked by backpressure").isEqualTo(Thread.State.WAITING);
      assertThat(written.get()).isLessThan(2000);
      gate.countDown();
      t.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(t.isAlive()).as("put thread finished once the uploads went on").isFalse();
      assertThat(failure.get()).isNull();
      assertThat(written.get()).isEqualTo(2000);
      w.flush();
      try (Reader r = db.openReader(ReaderOptions.defaults())) {
        for (int i = 0; i < 2000; i += 97) {
          assertThat(r.get(b(String.format("key%05d", i)))).isPresent();
        }
        assertThat(r.get(b("key01999"))).isPresent();
      }
    }
  }

  @Test
  void failedBackgroundFlushFailsEveryLaterCallWithTheCause() {
    FaultInjectingObjectStore store =
        FaultInjectingObjectStore.builder(new InMemoryObjectStore()).seed(5).build();
    try (IsleDB db = IsleDB.open(store, dbo())) {
      Writer w = db.openWriter(MANUAL.withFlushRetries(2));
      w.put(b("a"), b("1"));
      w.flush();
      w.put(b("b"), b("2"));
      w.put(b("c"), b("3"));
      store.failNext(Operation.UPLOAD, 3);
      assertThatThrownBy(w::flush)
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.UNAVAILABLE))
          .hasMessageContaining("background flush")
          .hasMessageContaining("2 accepted writes that were not yet flushed are lost");
      assertThatThrownBy(() -> w.put(b("d"), b("4"))).hasMessageContaining("background flush");
      assertThatThrownBy(w::close).hasMessageContaining("background flush");
      try (Reader r = db.openReader(ReaderOptions.defaults())) {
        assertThat(r.get(b("a"))).isPresent();
        assertThat(r.get(b("b"))).isEmpty();
      }
    }
  }

  @Test
  void transientUploadFailuresAreRetried() {
    FaultInjectingObjectStore store =
        FaultInjectingObjectStore.builder(new InMemoryObjectStore()).seed(6).build();
    try (IsleDB db = IsleDB.open(store, dbo());
        Writer w = db.openWriter(MANUAL.withFlushRetries(3))) {
      w.put(b("a"), b("1"));
      store.failNext(Operation.UPLOAD, 2);
      store.loseNextResponses(Operation.CREATE_IF_ABSENT, 1);
      w.flush();
      try (Reader r = db.openReader(ReaderOptions.defaults())) {
        assertThat(r.get(b("a"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("1")));
      }
    }
  }

  @Test
  void newWriterFencesTheOldOneWithoutLosingAcknowledgedData() {
    try (ObjectStore store = new InMemoryObjectStore();
        IsleDB db = IsleDB.open(store, dbo())) {
      Writer first = db.openWriter(MANUAL);
      first.put(b("acked"), b("1"));
      first.flush();
      first.put(b("unflushed"), b("x"));
      Writer second = db.openWriter(MANUAL);
      assertThatThrownBy(first::flush)
          .isInstanceOf(FencedException.class)
          .hasMessageContaining("was fenced")
          .hasMessageContaining("1 accepted writes that were not yet flushed are lost");
      assertThatThrownBy(() -> first.put(b("more"), b("y"))).isInstanceOf(FencedException.class);
      // Closing a fenced writer reports the loss once; later closes are no-ops.
      assertThatThrownBy(first::close).isInstanceOf(FencedException.class);
      first.close();
      second.put(b("second"), b("2"));
      second.flush();
      try (Reader r = db.openReader(ReaderOptions.defaults())) {
        assertThat(r.get(b("acked"))).isPresent();
        assertThat(r.get(b("unflushed"))).isEmpty();
        assertThat(r.get(b("second"))).isPresent();
      }
      second.close();
    }
  }

  /**
   * The flush interval is measured on the injected clock: while the fake clock stands still no
   * timer tick flushes, however many run; the first tick after it moved past the interval does.
   */
  @Test
  void intervalFlushMakesDataVisibleWithoutAnExplicitFlush() throws Exception {
    MutableClock clock = new MutableClock(1_000_000);
    TimerWatchingClock watched = new TimerWatchingClock(clock);
    try (ObjectStore store = new InMemoryObjectStore();
        IsleDB db = IsleDB.open(store, dbo().withClock(watched));
        Writer w =
            db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ofMillis(50)));
        Reader r = db.openReader(ReaderOptions.defaults())) {
      long opened = w.lastCommittedVersion();
      w.put(b("k"), b("v"));
      // Three ticks saw the buffered write with the clock not moved on: none may flush.
      assertThat(watched.timerReads.tryAcquire(3, 30, TimeUnit.SECONDS))
          .as("flush timer ticks that read the injected clock")
          .isTrue();
      r.refresh();
      assertThat(r.get(b("k"))).as("visible before the interval passed on the clock").isEmpty();
      assertThat(w.lastCommittedVersion()).as("commits before the interval").isEqualTo(opened);
      clock.advance(Duration.ofMillis(50));
      Awaiting.until(
          () -> w.lastCommittedVersion() > opened,
          Duration.ofSeconds(30),
          () -> "a timer flush once the clock passed the interval");
      r.refresh();
      assertThat(r.get(b("k"))).isPresent();
      assertThat(w.lastCommittedVersion()).isGreaterThan(1);
    }
  }

  /** A clock that counts the reads of the writer's flush timer thread. */
  private static final class TimerWatchingClock extends Clock {
    private final Clock delegate;
    final Semaphore timerReads = new Semaphore(0);

    TimerWatchingClock(Clock delegate) {
      this.delegate = delegate;
    }

    @Override
    public long millis() {
      if (Thread.currentThread().getName().startsWith("isledb-flush-timer")) {
        timerReads.release();
      }
      return delegate.millis();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
      return delegate.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
