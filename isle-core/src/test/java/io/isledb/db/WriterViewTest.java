package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.RequestStats;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The writer's view: request counts of its reads and reads concurrent with writes and flushes. */
class WriterViewTest {
  @TempDir Path dir;

  private ObjectStore store(String kind) {
    return kind.equals("file")
        ? IsleDB.openStore(dir.toUri().toString(), "view")
        : new InMemoryObjectStore();
  }

  private static byte[] key(int i) {
    return String.format("key%05d", i).getBytes();
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "file"})
  void getOnCachedDataCostsNoRequest(String kind) {
    try (ObjectStore store = store(kind);
        IsleDB db = IsleDB.open(store, DBOptions.defaults());
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      for (int i = 0; i < 2000; i += 2) {
        w.put(key(i), ("v" + i).getBytes());
      }
      w.flush();
      for (int i = 1; i < 2000; i += 20) {
        w.put(key(i), ("m" + i).getBytes()); // stays in the memtable
      }
      try (ReadView view = w.view()) {
        assertThat(view.get(key(0)))
            .hasValueSatisfying(v -> assertThat(v).isEqualTo("v0".getBytes()));
        RequestStats before = store.stats();
        for (int i = 0; i < 2000; i++) {
          byte[] expected =
              i % 2 == 0 ? ("v" + i).getBytes() : (i % 20 == 1 ? ("m" + i).getBytes() : null);
          if (expected == null) {
            assertThat(view.get(key(i))).as("key %d", i).isEmpty();
          } else {
            assertThat(view.get(key(i)))
                .as("key %d", i)
                .hasValueSatisfying(v -> assertThat(v).isEqualTo(expected));
          }
        }
        assertThat(view.get("absent".getBytes())).isEmpty();
        try (KvIterator it = view.scan(key(100), key(110))) {
          List<KV> got = new ArrayList<>();
          it.forEachRemaining(got::add);
          assertThat(got).hasSize(6); // 100..108 even, and 101 from the memtable
        }
        RequestStats cost = store.stats().minus(before);
        assertThat(cost.total()).as("requests of view reads on cached data: %s", cost).isZero();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "file"})
  void readerThreadSeesEveryPublishedWriteInOrder(String kind) throws Exception {
    int keys = 200;
    int rounds = 150;
    AtomicLong published = new AtomicLong(-1); // every put of this round and earlier returned
    try (ObjectStore store = store(kind);
        IsleDB db = IsleDB.open(store, DBOptions.defaults());
        Writer w =
            db.openWriter(
                WriterOptions.defaults()
                    .withFlushInterval(Duration.ZERO)
                    .withMemtableSize(64 * 1024)
                    .withMaxImmutableMemtables(3))) {
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<Integer> reader =
            pool.submit(
                () -> {
                  long[] seen = new long[keys];
                  Arrays.fill(seen, -1);
                  int checks = 0;
                  try (ReadView view = w.view()) {
                    while (true) {
                      long done = published.get();
                      boolean last = done == rounds - 1;
                      for (int i = 0; i < keys; i += 7) {
                        long v = valueOf(view.get(key(i)).orElse(null));
                        assertThat(v)
                            .as("key %d after round %d", i, done)
                            .isGreaterThanOrEqualTo(Math.max(done, seen[i]));
                        seen[i] = v;
                        checks++;
                      }
                      try (KvIterator it = view.scan(null, null)) {
                        byte[] prev = null;
                        int n = 0;
                        while (it.hasNext()) {
                          KV kv = it.next();
                          if (prev != null) {
                            assertThat(Arrays.compareUnsigned(prev, kv.key()))
                                .as("scan order")
                                .isNegative();
                          }
                          prev = kv.key();
                          int i = Integer.parseInt(new String(kv.key()).substring(3));
                          long v = valueOf(kv.value());
                          assertThat(v)
                              .as("scanned key %d", i)
                              .isGreaterThanOrEqualTo(Math.max(done, seen[i]));
                          seen[i] = v;
                          n++;
                        }
                        assertThat(n)
                            .as("keys scanned after round %d", done)
                            .isEqualTo(done >= 0 ? keys : n);
                      }
                      if (last) {
                        return checks;
                      }
                    }
                  }
                });
        Supplier<byte[]> pad = () -> new byte[300];
        for (int r = 0; r < rounds; r++) {
          for (int i = 0; i < keys; i++) {
            byte[] v = pad.get();
            ByteBuffer.wrap(v).putLong(r);
            w.put(key(i), v);
          }
          if (r % 40 == 39) {
            w.flush();
          }
          published.set(r);
        }
        assertThat(reader.get(5, TimeUnit.MINUTES)).isPositive();
        assertThat(w.lastCommittedVersion()).as("background flushes ran").isGreaterThan(4);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  private static long valueOf(byte[] v) {
    return v == null ? -1 : ByteBuffer.wrap(v).getLong();
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory"})
  void viewOfAClosedWriterIsClosed(String kind) {
    try (ObjectStore store = store(kind);
        IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      Writer w = db.openWriter(WriterOptions.defaults());
      ReadView view = w.view();
      w.put(key(1), "a".getBytes());
      w.close();
      assertThatThrownBy(() -> view.get(key(1)))
          .isInstanceOfSatisfying(
              IsleException.class, e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.CLOSED));
    }
  }
}
