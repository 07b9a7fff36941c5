package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.testing.ManifestStoreSpec;
import io.isledb.testing.MutableClock;
import io.isledb.testing.Seeds;
import io.isledb.util.Bytes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded model-based test of the whole engine against a TreeMap: random puts, deletes, TTLs, blob
 * values, flushes, writer close/reopen, reader refreshes and snapshots. Subclasses choose the
 * storage.
 */
public abstract class EngineModelTestBase {
  @TempDir Path cacheDir;

  /** A fresh, empty store for one test. */
  protected abstract ObjectStore openStore(String hint);

  /** Operations per run; storage backends that are slower use fewer. */
  protected int operations() {
    return 4000;
  }

  private record Versioned(byte[] value, long expiresAt) {}

  private static final class Model {
    final TreeMap<byte[], Versioned> map = new TreeMap<>(Bytes.COMPARATOR);

    /** Applies this model's changes (null = deleted) to {@code target} and forgets them. */
    void commitInto(Model target) {
      for (Map.Entry<byte[], Versioned> e : map.entrySet()) {
        if (e.getValue() == null) {
          target.map.remove(e.getKey());
        } else {
          target.map.put(e.getKey(), e.getValue());
        }
      }
      map.clear();
    }

    Model copy() {
      Model m = new Model();
      m.map.putAll(map);
      return m;
    }

    List<KV> visible(long now) {
      List<KV> out = new ArrayList<>();
      for (Map.Entry<byte[], Versioned> e : map.entrySet()) {
        Versioned v = e.getValue();
        if (v.expiresAt == 0 || v.expiresAt > now) {
          out.add(new KV(e.getKey(), v.value));
        }
      }
      return out;
    }
  }

  private static List<KV> all(ReadView r) {
    List<KV> out = new ArrayList<>();
    try (KvIterator it = r.scan(null, null)) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  @Test
  void engineMatchesModel() {
    long seed = Seeds.seed(20261124L);
    Random rnd = new Random(seed);
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    DBOptions dbo =
        ManifestStoreSpec.current()
            .options()
            .withClock(clock)
            .withIdSource(Ids.seededSource(seed))
            .withSnapshotEvery(8);
    WriterOptions wo =
        WriterOptions.defaults()
            .withFlushInterval(Duration.ZERO)
            .withMemtableSize(64 * 1024)
            .withBlobThreshold(2048)
            .withBlockSize(1024);
    String ctx = "seed " + seed;
    try (ObjectStore store = openStore("model");
        IsleDB db = IsleDB.open(store, dbo)) {
      Writer writer = db.openWriter(wo);
      io.isledb.Compactor compactor =
          db.openCompactor(
              io.isledb.CompactorOptions.defaults()
                  .withL0Trigger(4)
                  .withTargetTableSize(16 * 1024)
                  .withBlockSize(1024));
      Reader reader =
          db.openReader(
              ReaderOptions.defaults()
                  .withCacheDir(cacheDir)
                  .withSmallTableBytes(0)
                  .withHotTableReads(3));
      Model committed = new Model();
      Model pending = new Model();
      List<Object[]> snapshots = new ArrayList<>();
      int keySpace = 300;
      int compactions = 0;
      for (int op = 0; op < operations(); op++) {
        int r = rnd.nextInt(1000);
        byte[] key = ("k" + rnd.nextInt(keySpace)).getBytes();
        if (r < 550) {
          byte[] v = new byte[rnd.nextInt(10) == 0 ? 2048 + rnd.nextInt(4096) : rnd.nextInt(100)];
          rnd.nextBytes(v);
          writer.put(key, v);
          pending.map.put(key, new Versioned(v, 0));
        } else if (r < 700) {
          writer.delete(key);
          pending.map.put(key, null);
        } else if (r < 780) {
          byte[] v = ("ttl" + op).getBytes();
          long ttl = 1 + rnd.nextInt(5000);
          writer.put(key, v, Duration.ofMillis(ttl));
          pending.map.put(key, new Versioned(v, clock.millis() + ttl));
        } else if (r < 800) {
          clock.advance(Duration.ofMillis(rnd.nextInt(3000)));
        } else if (r < 900) {
          writer.flush();
          pending.commitInto(committed);
          reader.refresh();
          long now = clock.millis();
          assertThat(all(reader))
              .as("%s, op %d: full scan after flush", ctx, op)
              .containsExactlyElementsOf(committed.visible(now));
          for (int i = 0; i < 20; i++) {
            byte[] k = ("k" + rnd.nextInt(keySpace + 20)).getBytes();
            Versioned v = committed.map.get(k);
            boolean visible = v != null && (v.expiresAt == 0 || v.expiresAt > now);
            if (visible) {
              assertThat(reader.get(k))
                  .as("%s, op %d: get %s", ctx, op, new String(k))
                  .hasValueSatisfying(b -> assertThat(b).isEqualTo(v.value));
            } else {
              assertThat(reader.get(k)).as("%s, op %d: get %s", ctx, op, new String(k)).isEmpty();
            }
          }
          byte[] from = ("k" + rnd.nextInt(keySpace)).getBytes();
          byte[] to = ("k" + rnd.nextInt(keySpace)).getBytes();
          List<KV> expected = new ArrayList<>();
          for (KV kv : committed.visible(now)) {
            if (Bytes.compare(kv.key(), from) >= 0 && Bytes.compare(kv.key(), to) < 0) {
              expected.add(kv);
            }
          }
          try (KvIterator it = reader.scan(from, to)) {
            List<KV> got = new ArrayList<>();
            it.forEachRemaining(got::add);
            assertThat(got)
                .as("%s, op %d: range scan", ctx, op)
                .containsExactlyElementsOf(expected);
          }
          if (rnd.nextInt(4) == 0) {
            snapshots.add(new Object[] {reader.snapshot(), committed.copy()});
          }
        } else if (r < 920) {
          writer.close();
          // Unflushed writes are flushed by close.
          pending.commitInto(committed);
          writer = db.openWriter(wo);
        } else if (r < 945) {
          // Compaction never changes what readers see.
          if (compactor.runOnce().isPresent()) {
            compactions++;
          }
        } else if (r < 955 && !snapshots.isEmpty()) {
          Object[] s = snapshots.remove(rnd.nextInt(snapshots.size()));
          try (ReadView view = (ReadView) s[0]) {
            assertThat(all(view))
                .as("%s, op %d: snapshot at version %d", ctx, op, view.version())
                .containsExactlyElementsOf(((Model) s[1]).visible(clock.millis()));
          }
        }
      }
      writer.close();
      compactor.close();
      assertThat(compactions).as("%s: compactions ran", ctx).isGreaterThan(0);
      for (Object[] s : snapshots) {
        ((ReadView) s[0]).close();
      }
      reader.close();
    }
  }
}
