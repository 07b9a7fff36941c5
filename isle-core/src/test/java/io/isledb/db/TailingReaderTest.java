package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Change;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.RequestStats;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TailingReaderTest {
  private final InMemoryObjectStore store = new InMemoryObjectStore();
  private final IsleDB db =
      IsleDB.open(store, DBOptions.defaults().withIdSource(Ids.seededSource(11)));
  private final WriterOptions wo =
      WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlobThreshold(512);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String describe(Change c) {
    return c.type()
        + " "
        + s(c.key())
        + (c.type() == Change.Type.PUT
            ? "=" + (c.value().length > 100 ? c.value().length + "B" : s(c.value()))
            : "");
  }

  /** Everything from {@code from}, polled in pages of {@code page}. */
  static List<Change> drain(TailingReader t, TailPosition from, int page) {
    List<Change> out = new ArrayList<>();
    TailPosition pos = from;
    while (true) {
      TailBatch batch = t.poll(pos, page);
      out.addAll(batch.changes());
      if (batch.changes().isEmpty() && batch.next().equals(pos)) {
        return out;
      }
      pos = batch.next();
    }
  }

  @Test
  void emitsEveryPutAndDeleteInCommitThenSequenceOrder() {
    try (Writer w = db.openWriter(wo);
        TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
      TailPosition start = t.latest();
      w.put(b("b"), b("1"));
      w.put(b("a"), b("2"));
      w.put(b("b"), b("3")); // same key twice in one flush: both versions are emitted
      w.delete(b("a"));
      w.flush();
      w.put(b("c"), new byte[600]); // a blob value is resolved
      w.flush();
      List<String> got = drain(t, start, 100).stream().map(TailingReaderTest::describe).toList();
      assertThat(got).containsExactly("PUT b=1", "PUT a=2", "PUT b=3", "DELETE a", "PUT c=600B");
    }
  }

  @Test
  void resumingFromAnySavedPositionMissesAndRepeatsNothing() {
    long seed = Seeds.seed(99);
    Random rnd = new Random(seed);
    List<String> expected = new ArrayList<>();
    try (Writer w = db.openWriter(wo);
        Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(3));
        TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
      TailPosition start = t.latest();
      for (int flush = 0; flush < 12; flush++) {
        int n = 1 + rnd.nextInt(30);
        for (int i = 0; i < n; i++) {
          String k = "k" + rnd.nextInt(40);
          if (rnd.nextInt(5) == 0) {
            w.delete(b(k));
            expected.add("DELETE " + k);
          } else {
            String v = "v" + flush + "." + i;
            w.put(b(k), b(v));
            expected.add("PUT " + k + "=" + v);
          }
        }
        w.flush();
        c.runOnce(); // compactions and fences in the log emit nothing
      }
      // Consume with random page sizes, "restarting" (a new reader from the saved string) often.
      List<String> got = new ArrayList<>();
      String saved = start.toString();
      TailingReader current = t;
      List<TailingReader> opened = new ArrayList<>();
      while (true) {
        TailBatch batch = current.poll(TailPosition.parse(saved), 1 + rnd.nextInt(17));
        for (Change ch : batch.changes()) {
          got.add(describe(ch));
        }
        if (batch.changes().isEmpty() && batch.next().toString().equals(saved)) {
          break;
        }
        // Half the time resume from the middle of the batch via a change's own position.
        if (!batch.changes().isEmpty() && rnd.nextBoolean()) {
          int keep = rnd.nextInt(batch.changes().size());
          got.subList(got.size() - batch.changes().size() + keep + 1, got.size()).clear();
          saved = batch.changes().get(keep).next().toString();
        } else {
          saved = batch.next().toString();
        }
        if (rnd.nextInt(3) == 0) {
          current = db.openTailingReader(TailingReaderOptions.defaults());
          opened.add(current);
        }
      }
      opened.forEach(TailingReader::close);
      assertThat(got).as("seed %d", seed).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void keyRangeFilterKeepsPositionsConsistent() {
    try (Writer w = db.openWriter(wo);
        TailingReader t =
            db.openTailingReader(TailingReaderOptions.defaults().withKeyRange(b("b"), b("d")))) {
      TailPosition start = t.latest();
      for (String k : new String[] {"a", "b", "c", "d", "e", "bb"}) {
        w.put(b(k), b(k));
      }
      w.flush();
      assertThat(drain(t, start, 1).stream().map(TailingReaderTest::describe))
          .containsExactly("PUT b=b", "PUT c=c", "PUT bb=bb");
    }
  }

  @Test
  void externalCommitsAreTailedInHandleOrder() {
    try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
      TailPosition start = t.latest();
      SstWriter a = db.newSstWriter(SstWriterOptions.defaults());
      a.put(b("x"), b("1"));
      a.put(b("a"), b("1"));
      List<io.isledb.SstHandle> hs = new ArrayList<>(a.finish());
      SstWriter bw = db.newSstWriter(SstWriterOptions.defaults());
      bw.put(b("x"), b("2"));
      hs.addAll(bw.finish());
      db.commit(hs, "tok");
      assertThat(drain(t, start, 10).stream().map(TailingReaderTest::describe))
          .containsExactly("PUT a=1", "PUT x=1", "PUT x=2");
    }
  }

  @Test
  void idlePollCostsOneRequest() {
    try (Writer w = db.openWriter(wo);
        TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
      w.put(b("k"), b("v"));
      w.flush();
      TailPosition end = drain(t, TailPosition.start(), 10).isEmpty() ? null : t.latest();
      t.poll(end, 10); // the first poll from a position may verify retention once
      RequestStats before = store.stats();
      TailBatch idle = t.poll(end, 10);
      assertThat(idle.changes()).isEmpty();
      assertThat(store.stats().minus(before).total()).isEqualTo(1);
    }
  }

  @Test
  void collectedPositionIsReportedNotSilentlySkipped() {
    try (Writer w = db.openWriter(wo)) {
      for (int i = 0; i < 3; i++) {
        w.put(b("k" + i), b("v"));
        w.flush();
      }
    }
    store.delete(io.isledb.manifest.ManifestPaths.log(2));
    try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
      assertThatThrownBy(() -> t.poll(new TailPosition(2, 0), 10))
          .hasMessageContaining("no longer retained");
    }
  }

  @Test
  void pushFormDeliversUntilClosed() throws Exception {
    try (Writer w = db.openWriter(wo)) {
      TailingReader t =
          db.openTailingReader(
              TailingReaderOptions.defaults().withPollInterval(Duration.ofMillis(20)));
      TailPosition start = t.latest();
      List<String> got = new CopyOnWriteArrayList<>();
      CountDownLatch delivered = new CountDownLatch(5);
      AtomicReference<Throwable> err = new AtomicReference<>();
      Thread th =
          new Thread(
              () -> {
                try {
                  t.tail(
                      start,
                      c -> {
                        got.add(describe(c));
                        delivered.countDown();
                      });
                } catch (Throwable e) {
                  err.set(e);
                }
              });
      th.start();
      for (int i = 0; i < 5; i++) {
        w.put(b("k" + i), b("v" + i));
        w.flush();
      }
      assertThat(delivered.await(30, TimeUnit.SECONDS))
          .as("5 changes delivered, got %s, error %s", got, err.get())
          .isTrue();
      t.close();
      th.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(th.isAlive()).isFalse();
      assertThat(err.get()).isNull();
      assertThat(got)
          .containsExactly("PUT k0=v0", "PUT k1=v1", "PUT k2=v2", "PUT k3=v3", "PUT k4=v4");
    }
  }

  @Test
  void positionsParseAndRejectGarbage() {
    assertThat(TailPosition.parse("12:3")).isEqualTo(new TailPosition(12, 3));
    assertThat(TailPosition.parse(new TailPosition(7, 0).toString()))
        .isEqualTo(new TailPosition(7, 0));
    assertThatThrownBy(() -> TailPosition.parse("12"))
        .hasMessageContaining("malformed tail position");
    assertThatThrownBy(() -> TailPosition.parse("0:1")).hasMessageContaining("version >= 1");
  }
}
