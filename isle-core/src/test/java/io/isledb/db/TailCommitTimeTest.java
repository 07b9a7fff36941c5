package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Change;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
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
 * A tailed change reports the commit time of the edit that committed it: the committing process's
 * clock when it wrote that manifest edit, not the reader's clock.
 */
class TailCommitTimeTest {
  private static final long T0 = 1_700_000_000_000L;
  private final MutableClock writerClock = new MutableClock(T0);
  private final MutableClock readerClock = new MutableClock(T0 - Duration.ofDays(3).toMillis());
  private final InMemoryObjectStore store = new InMemoryObjectStore(writerClock);

  private DBOptions options(MutableClock clock) {
    return DBOptions.defaults().withClock(clock).withIdSource(Ids.seededSource(7));
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void eachChangeCarriesTheCommittingEditsTimeFromTheWritersClock() {
    List<Long> commitTimes = new ArrayList<>();
    try (IsleDB db = IsleDB.open(store, options(writerClock));
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      w.put(b("a"), b("1"));
      w.put(b("b"), b("2"));
      writerClock.advance(Duration.ofSeconds(5));
      w.flush(); // one version with two changes
      commitTimes.add(writerClock.millis());
      writerClock.advance(Duration.ofMinutes(7));
      w.delete(b("a"));
      w.put(b("c"), b("3"));
      w.flush();
      commitTimes.add(writerClock.millis());
    }
    // A reader process with a clock days behind the writer's still reports the writer's times.
    try (IsleDB db = IsleDB.open(store, options(readerClock));
        TailingReader tail = db.openTailingReader(TailingReaderOptions.defaults())) {
      List<Change> changes = pollAll(tail, TailPosition.start(), 1);
      List<Long> versions = changes.stream().map(Change::version).distinct().toList();
      assertThat(versions).as("two committed versions").hasSize(2);
      for (Change c : changes) {
        long expected = commitTimes.get(versions.indexOf(c.version()));
        assertThat(c.commitTimeMillis()).as("commit time of %s", c).isEqualTo(expected);
      }
      assertThat(changes)
          .extracting(Change::type)
          .containsExactlyInAnyOrder(
              Change.Type.PUT, Change.Type.PUT, Change.Type.DELETE, Change.Type.PUT);
    }
  }

  @Test
  void aRangedTailReportsTheCommitTimeToo() {
    try (IsleDB db = IsleDB.open(store, options(writerClock));
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      writerClock.advance(Duration.ofHours(1));
      w.put(b("a"), b("1"));
      w.put(b("m"), b("2"));
      w.flush();
      long committedAt = writerClock.millis();
      writerClock.advance(Duration.ofHours(1));
      try (TailingReader tail =
          db.openTailingReader(TailingReaderOptions.defaults().withKeyRange(b("m"), null))) {
        List<Change> changes = pollAll(tail, TailPosition.start(), 100);
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).commitTimeMillis()).isEqualTo(committedAt);
      }
    }
  }

  private static List<Change> pollAll(TailingReader tail, TailPosition from, int pageSize) {
    List<Change> out = new ArrayList<>();
    TailPosition pos = from;
    while (true) {
      TailBatch batch = tail.poll(pos, pageSize);
      if (batch.changes().isEmpty() && batch.next().equals(pos)) {
        return out;
      }
      out.addAll(batch.changes());
      pos = batch.next();
    }
  }
}
