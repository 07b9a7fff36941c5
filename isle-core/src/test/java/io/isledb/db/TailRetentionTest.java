package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A tailing reader that fell behind the log retention must say so, not report "nothing new"
 * forever: once GC collected the edit at its position, a free slot there is not the end of the log.
 */
class TailRetentionTest {
  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
  private final DBOptions dbo =
      DBOptions.defaults()
          .withClock(clock)
          .withIdSource(Ids.seededSource(11))
          .withSnapshotEvery(4)
          .withGcGracePeriod(Duration.ofMinutes(10))
          .withLogRetention(Duration.ofMinutes(30));

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Commits k0..k19 one by one, ten minutes apart, then lets GC run past the log retention. */
  private void writeK0ToK19WhileGcRunsForHours(Writer w, GarbageCollector gc) {
    for (int i = 0; i < 20; i++) {
      w.put(b("k" + i), b("v" + i));
      w.flush();
      clock.advance(Duration.ofMinutes(10));
      gc.runOnce();
    }
    collectPastRetention(gc);
  }

  /** Two GC passes a grace period apart, after the log retention has passed. */
  private void collectPastRetention(GarbageCollector gc) {
    clock.advance(Duration.ofHours(2));
    gc.runOnce();
    clock.advance(Duration.ofMinutes(11));
    gc.runOnce();
  }

  @Test
  void aTailBehindTheRetainedLogFailsInsteadOfStallingSilently() {
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        TailingReader tail = db.openTailingReader(TailingReaderOptions.defaults());
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      w.put(b("a"), b("1"));
      w.flush();
      TailBatch first = tail.poll(TailPosition.start(), 100);
      assertThat(first.changes()).hasSize(1);
      TailPosition pos = first.next();
      assertThat(tail.poll(pos, 100).changes()).as("caught up").isEmpty();

      // The consumer pauses for hours; the database moves on and GC collects the old log.
      writeK0ToK19WhileGcRunsForHours(w, gc);
      TailPosition stale = pos;
      assertThat(store.get("manifest/log/" + String.format("%020d", stale.version()) + ".json"))
          .as("the edit at the consumer's position was collected")
          .isEmpty();
      assertThatThrownBy(() -> tail.poll(stale, 100))
          .isInstanceOf(IsleException.class)
          .hasMessageContaining("no longer retained")
          .extracting(e -> ((IsleException) e).kind())
          .isEqualTo(IsleException.Kind.INVALID_ARGUMENT);
    }
  }

  @Test
  void aHistoryPinAtTheConsumersPositionKeepsItsLogForHours() {
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        TailingReader tail = db.openTailingReader(TailingReaderOptions.defaults());
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      w.put(b("a"), b("1"));
      w.flush();
      TailPosition pos = tail.poll(TailPosition.start(), 100).next();
      db.pinHistory("consumer", pos.version() - 1);

      writeK0ToK19WhileGcRunsForHours(w, gc);

      List<String> seen = new ArrayList<>();
      TailPosition p = pos;
      while (true) {
        TailBatch batch = tail.poll(p, 7);
        if (batch.changes().isEmpty()) {
          break;
        }
        batch.changes().forEach(c -> seen.add(new String(c.key(), StandardCharsets.UTF_8)));
        p = batch.next();
      }
      List<String> want = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        want.add("k" + i);
      }
      assertThat(seen).as("every change after the paused position, once, in order").isEqualTo(want);

      // The consumer moves its pin to where it got; GC then collects the log before it.
      db.pinHistory("consumer", p.version() - 1);
      collectPastRetention(gc);
      TailPosition old = pos;
      assertThatThrownBy(() -> tail.poll(old, 100)).hasMessageContaining("no longer retained");
      assertThat(tail.poll(p, 100).changes()).isEmpty();
    }
  }

  @Test
  void anIdleTailThatIsUpToDateStaysQuiet() {
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        TailingReader tail = db.openTailingReader(TailingReaderOptions.defaults());
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      w.put(b("a"), b("1"));
      w.flush();
      TailPosition pos = tail.poll(TailPosition.start(), 100).next();
      for (int i = 0; i < 10; i++) {
        clock.advance(Duration.ofHours(1));
        gc.runOnce();
        assertThat(tail.poll(pos, 100).changes()).as("nothing new after %d hours", i + 1).isEmpty();
      }
      w.put(b("b"), b("2"));
      w.flush();
      assertThat(tail.poll(pos, 100).changes()).hasSize(1);
    }
  }
}
