package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.CompactionFilter;
import io.isledb.CompactionResult;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import io.isledb.testing.Seeds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The compaction filter against a model: a dropped entry never lets an older version of its key
 * show again, whether the compaction is bottommost (the entry vanishes) or not (it becomes a
 * deletion); the filter sees only values as written (never blob references), large values by
 * length; a final bottommost merge leaves exactly the entries the filter keeps.
 */
class CompactionFilterModelTest {
  private static final long NEVER = Long.MAX_VALUE;
  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
  private final WriterOptions wo =
      WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlobThreshold(256);

  /** A value: its expiry (big-endian millis, {@link #NEVER} for none), then payload bytes. */
  private static byte[] value(long expiresAt, int payload, Random rnd) {
    byte[] v = new byte[8 + payload];
    rnd.nextBytes(v);
    ByteBuffer.wrap(v).putLong(expiresAt);
    return v;
  }

  private static long expiry(byte[] v) {
    return ByteBuffer.wrap(v).getLong();
  }

  private static byte[] key(int k) {
    return String.format("key%05d", k).getBytes(StandardCharsets.UTF_8);
  }

  /** Drops inline values whose expiry passed; records everything it is shown. */
  private static final class ExpiryFilter implements CompactionFilter {
    final Map<String, Set<ByteBuffer>> seenValues = new ConcurrentHashMap<>();
    final Map<String, Set<Long>> seenLargeLengths = new ConcurrentHashMap<>();
    final AtomicLong calls = new AtomicLong();
    volatile boolean dropLarge;

    @Override
    public Decision filter(byte[] key, byte[] value, long compactionTimeMillis) {
      calls.incrementAndGet();
      seenValues
          .computeIfAbsent(
              new String(key, StandardCharsets.UTF_8), k -> ConcurrentHashMap.newKeySet())
          .add(ByteBuffer.wrap(value.clone()));
      return expiry(value) <= compactionTimeMillis ? Decision.DROP : Decision.KEEP;
    }

    @Override
    public Decision filterLargeValue(byte[] key, long valueLength, long compactionTimeMillis) {
      seenLargeLengths
          .computeIfAbsent(
              new String(key, StandardCharsets.UTF_8), k -> ConcurrentHashMap.newKeySet())
          .add(valueLength);
      return dropLarge ? Decision.DROP : Decision.KEEP;
    }
  }

  @Test
  void droppedEntryAboveAnOlderRunBecomesADeletionNotTheOlderVersion() {
    ExpiryFilter filter = new ExpiryFilter();
    DBOptions dbo = DBOptions.defaults().withClock(clock).withIdSource(Ids.seededSource(5));
    Random rnd = new Random(1);
    CompactorOptions co =
        CompactorOptions.defaults()
            .withL0Trigger(1)
            .withSizeRatio(1)
            .withGarbageRatio(0.0001)
            .withFilter(filter);
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(wo);
        Compactor c = db.openCompactor(co);
        Reader r = db.openReader(ReaderOptions.defaults())) {
      byte[] k = key(0);
      byte[] old = value(NEVER, 16, rnd);
      w.put(k, old);
      for (int i = 1; i <= 200; i++) {
        w.put(key(i), value(NEVER, 16, rnd));
      }
      w.flush();
      assertThat(c.runOnce().orElseThrow().bottommost()).isTrue();
      w.put(k, value(clock.millis() + 1_000, 16, rnd));
      w.flush();
      clock.advance(Duration.ofSeconds(10));

      CompactionResult upper = c.runOnce().orElseThrow();
      assertThat(upper.bottommost()).as("the older run is left alone").isFalse();
      assertThat(upper.entriesFiltered()).isEqualTo(1);
      r.refresh();
      assertThat(r.get(k)).as("the older version must stay hidden").isEmpty();

      // The deletion is garbage: the next merge is bottommost and removes it and the older version.
      CompactionResult bottom = c.runOnce().orElseThrow();
      assertThat(bottom.bottommost()).isTrue();
      r.refresh();
      assertThat(r.get(k)).isEmpty();
      ManifestState s = new Manifest(store).loadLatest();
      assertThat(s.allTables().stream().mapToLong(SstMeta::entries).sum()).isEqualTo(200);
      assertThat(s.allTables().stream().mapToLong(SstMeta::tombstones).sum()).isZero();
      assertThat(r.get(key(1))).isPresent();
    }
  }

  @Test
  void randomWorkloadMatchesTheModel() {
    long seed = Seeds.seed(20261201L);
    Random rnd = new Random(seed);
    ExpiryFilter filter = new ExpiryFilter();
    DBOptions dbo = DBOptions.defaults().withClock(clock).withIdSource(Ids.seededSource(seed));
    CompactorOptions co =
        CompactorOptions.defaults()
            .withL0Trigger(2)
            .withSizeRatio(1)
            .withTargetTableSize(16 * 1024)
            .withBlockSize(1024)
            .withFilter(filter);
    TreeMap<String, byte[]> model = new TreeMap<>(); // newest value per key; absent = deleted
    Map<String, Set<ByteBuffer>> written = new HashMap<>();
    Map<String, Set<Long>> writtenLarge = new HashMap<>();
    long filteredBelow = 0;
    long filteredAtBottom = 0;
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(wo);
        Reader r = db.openReader(ReaderOptions.defaults())) {
      try (Compactor c = db.openCompactor(co)) {
        // A large oldest run of values that never expire, so later merges above it are not
        // bottommost and their drops must become deletions.
        for (int k = 1000; k < 2000; k++) {
          byte[] v = value(NEVER, 24, rnd);
          w.put(key(k), v);
          String ks = new String(key(k), StandardCharsets.UTF_8);
          model.put(ks, v);
          written.computeIfAbsent(ks, x -> new HashSet<>()).add(ByteBuffer.wrap(v));
        }
        w.flush();
        for (int round = 0; round < 20; round++) {
          for (int op = 0; op < 40; op++) {
            int k = rnd.nextInt(150);
            String ks = new String(key(k), StandardCharsets.UTF_8);
            if (rnd.nextInt(8) == 0) {
              w.delete(key(k));
              model.remove(ks);
              continue;
            }
            long exp = rnd.nextInt(3) == 0 ? NEVER : clock.millis() + rnd.nextInt(60_000);
            byte[] v = value(exp, rnd.nextInt(20) == 0 ? 400 : 24, rnd);
            w.put(key(k), v);
            model.put(ks, v);
            if (v.length >= wo.blobThreshold()) {
              writtenLarge.computeIfAbsent(ks, x -> new HashSet<>()).add((long) v.length);
            } else {
              written.computeIfAbsent(ks, x -> new HashSet<>()).add(ByteBuffer.wrap(v));
            }
          }
          w.flush();
          clock.advance(Duration.ofSeconds(5));
          Optional<CompactionResult> res;
          while ((res = c.runOnce()).isPresent()) {
            if (res.get().bottommost()) {
              filteredAtBottom += res.get().entriesFiltered();
            } else {
              filteredBelow += res.get().entriesFiltered();
            }
          }
          r.refresh();
          checkModel(r, model, "seed " + seed + ", round " + round);
        }
      }
      assertThat(filteredBelow).as("seed %d: drops that became deletions", seed).isPositive();
      filter.seenValues.forEach(
          (k, vs) ->
              assertThat(written.getOrDefault(k, Set.of()))
                  .as("seed %d: the filter saw only values written for %s", seed, k)
                  .containsAll(vs));
      filter.seenLargeLengths.forEach(
          (k, ls) ->
              assertThat(writtenLarge.getOrDefault(k, Set.of()))
                  .as("seed %d: large values are shown by their length", seed)
                  .containsAll(ls));
      assertThat(filter.seenLargeLengths).as("seed %d", seed).isNotEmpty();

      // Everything expires but the NEVER values; a final bottommost merge that also drops every
      // large value leaves exactly the small NEVER values.
      clock.advance(Duration.ofHours(1));
      filter.dropLarge = true;
      try (Compactor c =
          db.openCompactor(co.withL0Trigger(1).withSizeRatio(1_000_000).withMaxRuns(1))) {
        w.put(key(9999), value(NEVER, 8, rnd));
        model.put(new String(key(9999), StandardCharsets.UTF_8), null);
        w.flush();
        CompactionResult last = c.runOnce().orElseThrow();
        assertThat(last.bottommost()).isTrue();
        filteredAtBottom += last.entriesFiltered();
      }
      assertThat(filteredAtBottom).as("seed %d: drops at the bottom", seed).isPositive();
      long live = model.values().stream().filter(v -> v == null || kept(v)).count();
      ManifestState s = new Manifest(store).loadLatest();
      assertThat(s.allTables().stream().mapToLong(SstMeta::entries).sum())
          .as("seed %d: only unexpired entries are left", seed)
          .isEqualTo(live);
      assertThat(s.allTables().stream().mapToLong(SstMeta::tombstones).sum()).isZero();
      r.refresh();
      model.remove(new String(key(9999), StandardCharsets.UTF_8));
      for (Map.Entry<String, byte[]> e : model.entrySet()) {
        Optional<byte[]> got = r.get(e.getKey().getBytes(StandardCharsets.UTF_8));
        if (kept(e.getValue())) {
          assertThat(got).as("seed %d: %s", seed, e.getKey()).contains(e.getValue());
        } else {
          assertThat(got).as("seed %d: %s expired", seed, e.getKey()).isEmpty();
        }
      }
    }
  }

  /** Whether the final merge (time past every expiry, large values dropped) keeps {@code v}. */
  private boolean kept(byte[] v) {
    return expiry(v) == NEVER && v.length < wo.blobThreshold();
  }

  /**
   * The newest value of each key when it has not expired; when it has, that value or nothing, never
   * an older version.
   */
  private void checkModel(Reader r, TreeMap<String, byte[]> model, String ctx) {
    List<String> keys = new ArrayList<>();
    for (int k = 0; k < 150; k++) {
      keys.add(new String(key(k), StandardCharsets.UTF_8));
    }
    for (String k : keys) {
      byte[] v = model.get(k);
      Optional<byte[]> got = r.get(k.getBytes(StandardCharsets.UTF_8));
      if (v == null) {
        assertThat(got).as("%s: %s deleted", ctx, k).isEmpty();
      } else if (expiry(v) > clock.millis()) {
        assertThat(got).as("%s: %s live", ctx, k).contains(v);
      } else if (got.isPresent()) {
        assertThat(got.get())
            .as("%s: %s expired shows its newest value or nothing", ctx, k)
            .isEqualTo(v);
      }
    }
  }
}
