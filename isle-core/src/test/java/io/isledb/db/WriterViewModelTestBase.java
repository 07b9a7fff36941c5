package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.testing.MutableClock;
import io.isledb.testing.Seeds;
import io.isledb.util.Bytes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Seeded model-based test of the writer's read-your-writes view against a TreeMap of every write:
 * puts (some blobs), deletes, TTL puts and clock moves (MutableClock), synchronous flushes, the
 * background flushes a small memtable triggers, and compactions, with view {@code get} and range
 * {@code scan} compared with the model after every step. Subclasses choose the storage.
 */
public abstract class WriterViewModelTestBase {
  /** A fresh, empty store for one test. */
  protected abstract ObjectStore openStore(String hint);

  /** Operations per run; storage backends that are slower use fewer. */
  protected int operations() {
    return 3000;
  }

  private record Versioned(byte[] value, long expiresAt) {
    boolean visibleAt(long now) {
      return expiresAt == 0 || expiresAt > now;
    }
  }

  private static List<KV> scan(ReadView v, byte[] from, byte[] to) {
    List<KV> out = new ArrayList<>();
    try (KvIterator it = v.scan(from, to)) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  private static List<KV> expected(
      TreeMap<byte[], Versioned> model, byte[] from, byte[] to, long now) {
    List<KV> out = new ArrayList<>();
    for (Map.Entry<byte[], Versioned> e : model.entrySet()) {
      boolean in =
          (from == null || Bytes.compare(e.getKey(), from) >= 0)
              && (to == null || Bytes.compare(e.getKey(), to) < 0);
      if (in && e.getValue().visibleAt(now)) {
        out.add(new KV(e.getKey(), e.getValue().value()));
      }
    }
    return out;
  }

  private static void checkGet(
      ReadView view, TreeMap<byte[], Versioned> model, byte[] k, long now, String what) {
    Versioned v = model.get(k);
    if (v != null && v.visibleAt(now)) {
      assertThat(view.get(k)).as(what).hasValueSatisfying(b -> assertThat(b).isEqualTo(v.value()));
    } else {
      assertThat(view.get(k)).as(what).isEmpty();
    }
  }

  @Test
  void viewReadsEveryWriteMadeBeforeIt() {
    long seed = Seeds.seed(20261130L);
    Random rnd = new Random(seed);
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    DBOptions dbo =
        DBOptions.defaults()
            .withClock(clock)
            .withIdSource(Ids.seededSource(seed))
            .withSnapshotEvery(8);
    WriterOptions wo =
        WriterOptions.defaults()
            .withFlushInterval(Duration.ZERO)
            .withMemtableSize(64 * 1024) // the minimum: background flushes by size
            .withBlobThreshold(2048)
            .withBlockSize(1024);
    int keySpace = 400;
    TreeMap<byte[], Versioned> model = new TreeMap<>(Bytes.COMPARATOR);
    int compactions = 0;
    try (ObjectStore store = openStore("writer-view");
        IsleDB db = IsleDB.open(store, dbo);
        Writer writer = db.openWriter(wo);
        Compactor compactor =
            db.openCompactor(
                CompactorOptions.defaults()
                    .withL0Trigger(3)
                    .withTargetTableSize(8 * 1024)
                    .withBlockSize(1024));
        ReadView view = writer.view()) {
      for (int op = 0; op < operations(); op++) {
        String at = "seed " + seed + ", op " + op;
        int r = rnd.nextInt(1000);
        byte[] key = ("k" + rnd.nextInt(keySpace)).getBytes();
        if (r < 500) {
          byte[] v = new byte[rnd.nextInt(20) == 0 ? 2048 + rnd.nextInt(3000) : rnd.nextInt(200)];
          rnd.nextBytes(v);
          writer.put(key, v);
          model.put(key, new Versioned(v, 0));
        } else if (r < 650) {
          writer.delete(key);
          model.remove(key);
        } else if (r < 750) {
          byte[] v = ("ttl" + op).getBytes();
          long ttl = 1 + rnd.nextInt(4000);
          writer.put(key, v, Duration.ofMillis(ttl));
          model.put(key, new Versioned(v, clock.millis() + ttl));
        } else if (r < 800) {
          clock.advance(Duration.ofMillis(rnd.nextInt(2000)));
        } else if (r < 830) {
          writer.flush();
        } else if (r < 860) {
          if (compactor.runOnce().isPresent()) {
            compactions++;
          }
        } else if (r < 870) {
          // Several rotations in a row: frozen memtables wait for upload while the view reads them.
          for (int i = 0; i < 150; i++) { // 75 KB: over the memtable size
            byte[] k = ("k" + rnd.nextInt(keySpace)).getBytes();
            byte[] v = new byte[500];
            rnd.nextBytes(v);
            writer.put(k, v);
            model.put(k, new Versioned(v, 0));
          }
        }
        long now = clock.millis();
        checkGet(view, model, key, now, at + ": get of the key just touched");
        byte[] other = ("k" + rnd.nextInt(keySpace + 20)).getBytes();
        checkGet(view, model, other, now, at + ": get " + new String(other));
        if (rnd.nextInt(10) == 0) {
          byte[] from = rnd.nextInt(5) == 0 ? null : ("k" + rnd.nextInt(keySpace)).getBytes();
          byte[] to = rnd.nextInt(5) == 0 ? null : ("k" + rnd.nextInt(keySpace)).getBytes();
          assertThat(scan(view, from, to))
              .as("%s: scan", at)
              .containsExactlyElementsOf(expected(model, from, to, now));
        }
      }
      assertThat(compactions).as("compactions ran beside the writer").isPositive();
      assertThat(scan(view, null, null))
          .as("final full scan")
          .containsExactlyElementsOf(expected(model, null, null, clock.millis()));
      writer.flush();
      assertThat(scan(view, null, null))
          .as("full scan once everything is flushed")
          .containsExactlyElementsOf(expected(model, null, null, clock.millis()));
    }
  }
}
