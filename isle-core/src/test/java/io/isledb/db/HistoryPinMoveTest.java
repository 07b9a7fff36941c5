package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.PinOptions;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A log consumer moves its history pin forward as it progresses (the Flink source does at every
 * checkpoint). A consumer lagging by more than the log retention moves it to a version superseded
 * long ago, which the general acceptance rules refuse; yet the pin it replaces (an unexpired
 * history pin of the same name at or below that version) has kept everything the new one needs all
 * along, so the move, and a renewal at the same version, are accepted. Anything else is judged as
 * before.
 */
class HistoryPinMoveTest {
  private final MutableClock time = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore store = new InMemoryObjectStore(time);

  private IsleDB open() {
    return IsleDB.open(store, DBOptions.defaults().withClock(time));
  }

  private static void commit(Writer w, int i) {
    w.put(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[] {(byte) i});
    w.flush();
  }

  @Test
  void aLaggingConsumerMovesAndRenewsItsHistoryPin() {
    try (IsleDB db = open();
        Writer w = db.openWriter(WriterOptions.defaults())) {
      for (int i = 0; i < 5; i++) {
        commit(w, i);
      }
      long start = w.lastCommittedVersion() - 3;
      PinOptions ttl = PinOptions.defaults().withOwner("job").withTtl(Duration.ofDays(1));
      db.pinHistory("consumer", start, ttl); // recent: accepted by the general rules
      time.advance(Duration.ofHours(3)); // past the log retention and the grace period
      commit(w, 5);

      db.pinHistory("consumer", start + 2, ttl); // the consumer moved on, still hours behind
      assertThat(db.pins()).containsEntry("consumer", start + 2);
      db.pinHistory("consumer", start + 2, ttl); // renewal at the same version
      assertThat(db.pinInfos().get(0).timeMillis()).isEqualTo(time.millis());

      // Not covered: moving back, a version pin, another name. Refused as before; nothing changes.
      assertThatThrownBy(() -> db.pinHistory("consumer", start + 1, ttl))
          .hasMessageContaining("cannot pin version " + (start + 1));
      assertThatThrownBy(() -> db.pin("consumer", start + 2, ttl))
          .hasMessageContaining("cannot pin version " + (start + 2));
      assertThatThrownBy(() -> db.pinHistory("other", start + 2, ttl))
          .hasMessageContaining("cannot pin version " + (start + 2));
      assertThat(db.pins()).containsOnlyKeys("consumer").containsEntry("consumer", start + 2);

      try (TailingReader tail = db.openTailingReader(TailingReaderOptions.defaults())) {
        assertThat(tail.poll(new TailPosition(start + 3, 0), 100).changes()).hasSize(2);
      }
    }
  }

  @Test
  void anExpiredPinCoversNothing() {
    try (IsleDB db = open();
        Writer w = db.openWriter(WriterOptions.defaults())) {
      for (int i = 0; i < 4; i++) {
        commit(w, i);
      }
      long start = w.lastCommittedVersion() - 2;
      db.pinHistory("consumer", start, PinOptions.defaults().withTtl(Duration.ofHours(1)));
      time.advance(Duration.ofHours(3)); // the pin expired: GC may have collected what it kept
      commit(w, 4);
      assertThatThrownBy(() -> db.pinHistory("consumer", start + 1, PinOptions.defaults()))
          .hasMessageContaining("cannot pin version " + (start + 1));
      assertThat(db.pins()).containsEntry("consumer", start);
    }
  }
}
