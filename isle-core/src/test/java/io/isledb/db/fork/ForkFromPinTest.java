package io.isledb.db.fork;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.ForkSource;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.TailBatch;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Forks from a source's version pin (what a state backend restoring a checkpoint uses): the fork
 * copies the checkpoint's pin, so the source's GC keeps the checkpoint's tables after the
 * checkpoint's own pin is gone; a history pin is refused; a tailing reader of the fork sees only
 * the fork's own writes.
 */
class ForkFromPinTest extends ForkModelTestBase {
  @Override
  protected ObjectStore openStore(String hint) {
    return new InMemoryObjectStore(clock);
  }

  // The model tests of the base run in InMemoryForkModelTest; not again here.
  @Override
  void splitShowsExactlyEachRangeAndSurvivesCompactionAndGc() {}

  @Override
  void forkOfTwoSourcesAndOfAFork() {}

  @Test
  void aForkOfACheckpointPinOutlivesThePinAndTheSourcesLaterData() {
    IsleDB src = db("src");
    TreeMap<String, String> model = writeSource(src, SEED + 5, List.of(30));
    long v = src.currentVersion();
    src.pin("cp-7", v);
    // After the checkpoint the source deletes everything and compacts: only cp-7 keeps version v.
    try (Writer w = src.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      for (int i = 0; i < 60; i++) {
        w.delete(b(key(i)));
      }
      w.flush();
    }
    try (Compactor c = src.openCompactor(CompactorOptions.defaults().withL0Trigger(1))) {
      c.runOnce();
    }
    IsleDB.fork(
        store("restored"),
        List.of(ForkSource.ofPin(prefix("src"), "cp-7", b(key(10)), b(key(30)))),
        dbo("restored"));
    src.unpin("cp-7"); // the checkpoint is subsumed
    collect(src);
    IsleDB restored = db("restored");
    TreeMap<String, String> expected = clip(model, key(10), key(30));
    try (Reader r = restored.openReader(ReaderOptions.defaults())) {
      assertMatches(r, expected, "fork of cp-7 after the pin was removed and the source collected");
    }
    // A tailing reader of the fork from its first version: the fork edit emits nothing.
    try (TailingReader t = restored.openTailingReader(TailingReaderOptions.defaults());
        Writer w = restored.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      w.put(b(key(12)), b("new"));
      w.flush();
      List<String> keys = new ArrayList<>();
      io.isledb.TailPosition pos = t.earliest();
      for (int i = 0; i < 20; i++) {
        TailBatch batch = t.poll(pos, 100);
        batch.changes().forEach(c -> keys.add(s(c.key())));
        if (batch.next().equals(pos)) {
          break;
        }
        pos = batch.next();
      }
      assertThat(keys).containsExactly(key(12));
    }
  }

  @Test
  void refusesAHistoryPinAndAMissingPin() {
    IsleDB src = db("src");
    writeSource(src, SEED + 6, List.of());
    src.pinHistory("h", src.currentVersion());
    assertThatThrownBy(
            () ->
                IsleDB.fork(
                    store("x"),
                    List.of(ForkSource.ofPin(prefix("src"), "h", null, null)),
                    dbo("x")))
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("history pin");
    assertThatThrownBy(
            () ->
                IsleDB.fork(
                    store("x"),
                    List.of(ForkSource.ofPin(prefix("src"), "nope", null, null)),
                    dbo("x")))
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("no pin nope");
    assertThat(forkPins(src)).isEmpty();
  }
}
