package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.PinOptions;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RequestStats;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.testing.Seeds;
import io.isledb.util.Bytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded model test of {@link Writer#flushAsync()}: a writer thread puts and deletes while a
 * checkpoint thread cuts, without waiting for earlier cuts (many outstanding flushes, memtables
 * also frozen by size in between). Every operation's value names its number, so each cut's version,
 * opened by number and through a pin taken from the writer's head, must equal the fold of exactly
 * the operations that returned before the cut was called (plus, at most, the one in flight), and
 * the versions must rise in call order.
 */
public abstract class FlushAsyncModelTestBase {
  @TempDir Path cacheDir;

  /** A fresh, empty store. */
  protected abstract ObjectStore openStore(String hint);

  /** Operations of one run. */
  protected int operations() {
    return 12_000;
  }

  /** One operation: a put of {@code value} to {@code key}, or a delete when value is null. */
  private record Op(byte[] key, byte[] value) {}

  /** One cut: ops [0, before) returned before the call, ops [0, started) had started after it. */
  private record Cut(CompletableFuture<Long> version, int before, int started) {}

  private static List<Op> ops(Random rnd, int n) {
    List<Op> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] key = String.format("key-%04d", rnd.nextInt(400)).getBytes(StandardCharsets.UTF_8);
      if (rnd.nextInt(10) == 0) {
        out.add(new Op(key, null));
      } else {
        byte[] v = new byte[40 + rnd.nextInt(120)];
        byte[] tag = ("op-" + i + "-").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(tag, 0, v, 0, tag.length);
        out.add(new Op(key, v));
      }
    }
    return out;
  }

  private static TreeMap<byte[], byte[]> fold(List<Op> ops, int n) {
    TreeMap<byte[], byte[]> m = new TreeMap<>(Bytes.COMPARATOR);
    for (Op op : ops.subList(0, n)) {
      if (op.value() == null) {
        m.remove(op.key());
      } else {
        m.put(op.key(), op.value());
      }
    }
    return m;
  }

  static TreeMap<byte[], byte[]> contents(ReadView v) {
    TreeMap<byte[], byte[]> m = new TreeMap<>(Bytes.COMPARATOR);
    try (KvIterator it = v.scan(null, null)) {
      while (it.hasNext()) {
        KV kv = it.next();
        m.put(kv.key(), kv.value());
      }
    }
    return m;
  }

  private static boolean same(Map<byte[], byte[]> a, Map<byte[], byte[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (Map.Entry<byte[], byte[]> e : a.entrySet()) {
      byte[] o = b.get(e.getKey());
      if (o == null || !java.util.Arrays.equals(o, e.getValue())) {
        return false;
      }
    }
    return true;
  }

  @Test
  void everyCutHoldsExactlyTheWritesBeforeIt() throws Exception {
    long seed = Seeds.seed(20261130L);
    Random rnd = new Random(seed);
    int n = operations();
    List<Op> ops = ops(rnd, n);
    AtomicInteger returned = new AtomicInteger();
    AtomicInteger started = new AtomicInteger();
    AtomicBoolean done = new AtomicBoolean();
    Semaphore progress = new Semaphore(0);
    int step = Math.max(50, n / 120);
    WriterOptions wo =
        WriterOptions.defaults()
            .withMemtableSize(64 * 1024)
            .withFlushInterval(Duration.ZERO)
            .withCache(ReaderOptions.defaults().withCacheDir(cacheDir.resolve("writer")));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (ObjectStore store = openStore("flush-async");
        IsleDB db = IsleDB.open(store, DBOptions.defaults());
        Writer w = db.openWriter(wo)) {
      Future<?> writer =
          pool.submit(
              () -> {
                for (int i = 0; i < n; i++) {
                  Op op = ops.get(i);
                  started.set(i + 1);
                  if (op.value() == null) {
                    w.delete(op.key());
                  } else {
                    w.put(op.key(), op.value());
                  }
                  returned.set(i + 1);
                  if ((i + 1) % step == 0) {
                    progress.release();
                  }
                }
                done.set(true);
                progress.release();
              });
      List<Cut> cuts = new ArrayList<>();
      Future<?> checkpointer =
          pool.submit(
              () -> {
                while (!done.get()) {
                  progress.acquireUninterruptibly();
                  int before = returned.get();
                  CompletableFuture<Long> f = w.flushAsync();
                  cuts.add(new Cut(f, before, started.get()));
                }
                return null;
              });
      writer.get(5, TimeUnit.MINUTES);
      checkpointer.get(5, TimeUnit.MINUTES);
      cuts.add(new Cut(w.flushAsync(), n, n));
      // A cut with nothing new since the last one is that cut's version.
      cuts.add(new Cut(w.flushAsync(), n, n));

      String ctx = "seed " + seed;
      assertThat(cuts.size()).as(ctx).isGreaterThan(20);
      long previous = 0;
      int previousBefore = -1;
      List<Long> versions = new ArrayList<>();
      for (Cut c : cuts) {
        long v = c.version().get(2, TimeUnit.MINUTES);
        versions.add(v);
        if (c.started() > previousBefore) {
          assertThat(v).as("%s: cuts commit in call order", ctx).isGreaterThanOrEqualTo(previous);
        }
        previous = v;
        previousBefore = c.before();
      }
      assertThat(versions.get(versions.size() - 1))
          .as("%s: an empty cut is the previous cut's version", ctx)
          .isEqualTo(versions.get(versions.size() - 2))
          .isEqualTo(w.lastCommittedVersion());
      RequestStats beforePin = store.stats();
      long pinned = w.pinHead("checkpoint-last", PinOptions.defaults().withOwner("model-test"));
      RequestStats pinCost = store.stats().minus(beforePin);
      assertThat(pinned).as(ctx).isEqualTo(w.lastCommittedVersion());
      assertThat(pinCost.total()).as("%s: a pin from the writer's head is one PUT", ctx).isOne();
      assertThat(pinCost.count(RequestStats.RequestKind.PUT)).as(ctx).isOne();

      try (Reader r = db.openReader(ReaderOptions.defaults())) {
        try (ReadView fromPin = r.openVersion(pinned)) {
          assertThat(same(contents(fromPin), fold(ops, n))).as(ctx).isTrue();
        }
        for (int i = 0; i < cuts.size(); i++) {
          Cut c = cuts.get(i);
          long v = versions.get(i);
          TreeMap<byte[], byte[]> seen;
          try (ReadView view = r.openVersion(v)) {
            seen = contents(view);
          }
          // The op in flight during the call may be on either side; nothing else may.
          boolean matches = false;
          for (int k = c.before(); k <= c.started() && !matches; k++) {
            matches = same(seen, fold(ops, k));
          }
          assertThat(matches)
              .as(
                  "%s: version %d of cut %d holds exactly ops [0, %d..%d)",
                  ctx, v, i, c.before(), c.started())
              .isTrue();
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
