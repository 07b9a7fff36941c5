package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import io.isledb.testing.Seeds;
import io.isledb.util.Bytes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An {@link SstWriter} with unsorted input against a TreeMap model: seeded random mixes of puts,
 * puts with a ttl, deletes and overwrites (values above the blob threshold become blobs) of few
 * keys (every key rewritten hundreds of times) and of many keys (spills forced by the smallest
 * buffer), committed over a database whose writer already holds values for some of the keys (so a
 * buffered delete must shadow them). After the commit and a clock step that expires the short ttls,
 * the database must read exactly as the model says: the last write of each key wins.
 */
class SstWriterBufferModelTest {
  private static final long BUFFER = 64 << 10; // the smallest buffer SstWriterOptions allows
  private static final int BLOB_THRESHOLD = 200;
  private static final Duration SHORT_TTL = Duration.ofSeconds(10);
  private static final Duration LONG_TTL = Duration.ofHours(1);

  /** One key's last write in the model: its value, or null for a delete; expiry 0 = none. */
  private record Last(byte[] value, long expiresAt) {}

  @ParameterizedTest(name = "keys={0} ops={1} seed={2}")
  @CsvSource({
    "8, 4000, 1601", // few keys: every key overwritten ~500 times; no spill
    "50, 3000, 1602",
    "3000, 6000, 1603", // many keys: several spills
    "20000, 12000, 1604" // mostly distinct keys, a few overwrites
  })
  void readsAsTheModelAfterCommit(int keySpace, int ops, long defaultSeed) {
    long seed = Seeds.seed(defaultSeed);
    String why = "seed " + seed + " (replay with -Disledb.test.seed=" + seed + ")";
    Random rnd = new Random(seed);
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    InMemoryObjectStore store = new InMemoryObjectStore(clock);
    IsleDB db = IsleDB.open(store, DBOptions.defaults().withClock(clock));
    TreeMap<byte[], Last> model = new TreeMap<>(Bytes.COMPARATOR);

    // Values already in the database for a third of the keys.
    try (Writer w = db.openWriter(WriterOptions.defaults())) {
      for (int k = 0; k < keySpace; k += 3) {
        byte[] v = value(rnd, "base", k);
        w.put(key(k), v);
        model.put(key(k), new Last(v, 0));
      }
      w.flush();
    }

    long written = 0;
    List<SstHandle> handles;
    try (SstWriter sw =
        db.newSstWriter(
            SstWriterOptions.defaults()
                .withBufferBytes(BUFFER)
                .withBlobThreshold(BLOB_THRESHOLD))) {
      for (int i = 0; i < ops; i++) {
        int k = rnd.nextInt(keySpace);
        int op = rnd.nextInt(10);
        if (op < 2) {
          sw.delete(key(k));
          model.put(key(k), new Last(null, 0));
        } else if (op < 4) {
          Duration ttl = rnd.nextBoolean() ? SHORT_TTL : LONG_TTL;
          byte[] v = value(rnd, "ttl" + i, k);
          sw.put(key(k), v, ttl);
          model.put(key(k), new Last(v, clock.millis() + ttl.toMillis()));
          written += v.length;
        } else {
          byte[] v = value(rnd, "put" + i, k);
          sw.put(key(k), v);
          model.put(key(k), new Last(v, 0));
          written += v.length;
        }
        if (rnd.nextInt(500) == 0) {
          clock.advance(Duration.ofMillis(rnd.nextInt(1000)));
        }
      }
      handles = sw.finish();
    }
    if (written > 4 * BUFFER && keySpace > 1000) {
      assertThat(handles).as("spills, %s", why).hasSizeGreaterThan(1);
    }
    if (keySpace <= 50) {
      // Overwrites do not count as buffered bytes: the few live keys never fill the buffer.
      assertThat(handles).as("one table for %d keys, %s", keySpace, why).hasSize(1);
    }
    db.commit(handles, "model-" + seed);

    clock.advance(Duration.ofMinutes(1)); // short ttls are over, long ones are not
    TreeMap<String, String> expected = new TreeMap<>();
    model.forEach(
        (k, last) -> {
          if (last.value != null && (last.expiresAt == 0 || last.expiresAt > clock.millis())) {
            expected.put(hex(k), hex(last.value));
          }
        });
    TreeMap<String, String> actual = new TreeMap<>();
    try (Reader r = db.openReader(ReaderOptions.defaults());
        KvIterator it = r.scan(null, null)) {
      while (it.hasNext()) {
        KV kv = it.next();
        actual.put(hex(kv.key()), hex(kv.value()));
      }
    }
    assertThat(actual.size()).as("live keys, %s", why).isEqualTo(expected.size());
    assertThat(actual).as(why).isEqualTo(expected);
    assertThat(expected).as("the mix has live keys, %s", why).isNotEmpty();
    db.close();
  }

  private static byte[] key(int k) {
    return ("k" + Integer.toString(k * 7919 % 100_003, 36)).getBytes(StandardCharsets.UTF_8);
  }

  /** 0 to 300 bytes (a quarter of them at least the blob threshold), naming the write. */
  private static byte[] value(Random rnd, String what, int k) {
    String head = what + "/" + k + "/";
    int pad = rnd.nextInt(4) == 0 ? BLOB_THRESHOLD + rnd.nextInt(100) : rnd.nextInt(40);
    byte[] v = new byte[head.length() + pad];
    byte[] h = head.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(h, 0, v, 0, h.length);
    for (int i = h.length; i < v.length; i++) {
      v[i] = (byte) rnd.nextInt(256);
    }
    return v;
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
