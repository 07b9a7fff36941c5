package io.isledb.db.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Compactor;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.db.CommitSignal;
import io.isledb.storage.InMemoryObjectStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Compactor#startAfter}: a compactor started with a delay does not act on commits before its
 * first look (a restored database serves its first reads without a compaction beside them), and
 * does its pending work at that first look.
 */
class CompactorStartDelayTest {
  /**
   * Runs handed-off work on the calling thread, so a look triggered by a commit is seen at once.
   */
  static final class InlineExecutor extends ScheduledThreadPoolExecutor {
    InlineExecutor() {
      super(1);
    }

    @Override
    public void execute(Runnable command) {
      command.run();
    }
  }

  private final InlineExecutor executor = new InlineExecutor();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void commitsBeforeTheDelayDoNotTriggerALook() {
    CommitSignal signal = new CommitSignal();
    signal.writerOpened();
    AtomicInteger looks = new AtomicInteger();
    for (Duration delay : List.of(Duration.ofDays(1), Duration.ZERO)) {
      CommitTrigger t = new CommitTrigger(signal, executor, looks::incrementAndGet);
      t.start(Duration.ofDays(1), delay, "compactor");
      int before = looks.get(); // without a delay the periodic loop's first look may have run
      signal.committed();
      if (delay.isZero()) {
        assertThat(looks.get())
            .as("without a delay a commit triggers a look")
            .isGreaterThan(before);
      } else {
        assertThat(looks).as("a commit before the delay").hasValue(0);
      }
      t.stop();
    }
  }

  @Test
  void theFirstLookAfterTheDelayRunsAndLaterCommitsTriggerLooks() throws Exception {
    CommitSignal signal = new CommitSignal();
    signal.writerOpened();
    AtomicInteger looks = new AtomicInteger();
    CommitTrigger t = new CommitTrigger(signal, executor, looks::incrementAndGet);
    t.start(Duration.ofDays(1), Duration.ofMillis(20), "delayed compactor");
    io.isledb.testing.Awaiting.until(
        () -> looks.get() >= 1, Duration.ofSeconds(30), () -> "the first look after the delay");
    int after = looks.get();
    signal.committed();
    assertThat(looks.get()).isGreaterThan(after);
    t.stop();
  }

  @Test
  void aDelayedLoopRunsNotBeforeItsDelay() {
    java.util.concurrent.ScheduledFuture<?> loop =
        io.isledb.db.BackgroundLoop.start(
            executor, Duration.ofDays(1), Duration.ofSeconds(1), "delayed gc", () -> {});
    assertThat(loop.getDelay(java.util.concurrent.TimeUnit.HOURS)).isGreaterThanOrEqualTo(23);
    loop.cancel(false);
  }

  @Test
  void aNegativeGcDelayIsRefused() {
    try (IsleDB db = IsleDB.open(new InMemoryObjectStore(), io.isledb.DBOptions.defaults());
        io.isledb.GarbageCollector gc =
            db.openGarbageCollector(new io.isledb.GcOptions(Duration.ofMinutes(1)))) {
      assertThatThrownBy(() -> gc.startAfter(Duration.ofSeconds(-1)))
          .isInstanceOf(IsleException.class)
          .hasMessageContaining("start delay");
      gc.startAfter(Duration.ofDays(1)); // accepted; its first pass is a day away
    }
  }

  @Test
  void aNegativeDelayIsRefused() {
    try (IsleDB db = IsleDB.open(new InMemoryObjectStore(), io.isledb.DBOptions.defaults());
        Compactor c = db.openCompactor(io.isledb.CompactorOptions.defaults())) {
      assertThatThrownBy(() -> c.startAfter(Duration.ofSeconds(-1)))
          .isInstanceOf(IsleException.class)
          .hasMessageContaining("start delay");
    }
  }
}
