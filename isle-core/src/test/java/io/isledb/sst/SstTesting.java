package io.isledb.sst;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Shared helpers for the SST tests. */
final class SstTesting {
  private SstTesting() {}

  /** Internal-key order: user key ascending (unsigned), then seq descending. */
  static final Comparator<Entry> ORDER =
      (a, b) -> {
        int c = Arrays.compareUnsigned(a.userKey(), b.userKey());
        return c != 0 ? c : Long.compare(b.seq(), a.seq());
      };

  /** Builds a table in memory. */
  static byte[] build(List<Entry> entries, TableOptions options) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TableBuilder b = new TableBuilder(out, options)) {
      for (Entry e : entries) {
        b.add(e.userKey(), e.seq(), e.kind(), e.expiresAtMillis(), e.value());
      }
      TableProperties p = b.finish();
      if (p.fileSize() != out.size()) {
        throw new AssertionError("fileSize " + p.fileSize() + " != written " + out.size());
      }
    }
    return out.toByteArray();
  }

  static TableReader open(byte[] file) {
    return TableReader.open("test.sst", file.length, BlockSource.of(file), BlockCache.none(), 1);
  }

  static List<Entry> readAll(TableIterator it) {
    List<Entry> out = new ArrayList<>();
    for (it.seekToFirst(); it.valid(); it.next()) {
      out.add(it.entry());
    }
    return out;
  }

  static Entry entry(String key, long seq, ValueKind kind, String value) {
    return new Entry(
        key.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        seq,
        kind,
        kind.hasExpiry() ? 1_700_000_000_000L + seq : 0,
        kind == ValueKind.DELETE
            ? new byte[0]
            : value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  static byte[] randomBytes(Random r, int length) {
    byte[] b = new byte[length];
    r.nextBytes(b);
    return b;
  }

  /** Bytes from a small alphabet, so that keys share prefixes and values compress. */
  static byte[] lowEntropyBytes(Random r, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) ("abcd\u00ff\u0000".charAt(r.nextInt(6)));
    }
    return b;
  }

  /** A random entry of a random kind for {@code key} at {@code seq}. */
  static Entry randomEntry(Random r, byte[] key, long seq, int maxValue) {
    ValueKind kind = ValueKind.values()[r.nextInt(ValueKind.values().length)];
    byte[] value;
    if (kind == ValueKind.DELETE) {
      value = new byte[0];
    } else if (kind.isBlob()) {
      value = randomBytes(r, 40); // an opaque reference
    } else {
      int len = r.nextInt(4) == 0 ? 0 : r.nextInt(maxValue + 1);
      value = r.nextBoolean() ? lowEntropyBytes(r, len) : randomBytes(r, len);
    }
    long expires = kind.hasExpiry() ? 1 + (r.nextLong() & Long.MAX_VALUE) : 0;
    return new Entry(key, seq, kind, expires, value);
  }

  /** A test {@link BlockCache}: an unbounded map that counts hits, misses and puts. */
  static final class MapBlockCache implements BlockCache {
    final Map<BlockCacheKey, Block> map = new ConcurrentHashMap<>();
    final AtomicLong hits = new AtomicLong();
    final AtomicLong misses = new AtomicLong();
    final AtomicLong puts = new AtomicLong();

    @Override
    public Block get(BlockCacheKey key) {
      Block b = map.get(key);
      (b == null ? misses : hits).incrementAndGet();
      return b;
    }

    @Override
    public void put(BlockCacheKey key, Block block) {
      puts.incrementAndGet();
      map.put(key, block);
    }
  }

  /** A source that counts reads (calls) and bytes. */
  static final class CountingSource implements BlockSource {
    final BlockSource delegate;
    final AtomicLong reads = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();

    CountingSource(BlockSource delegate) {
      this.delegate = delegate;
    }

    @Override
    public byte[] read(long offset, int length) {
      reads.incrementAndGet();
      byte[] b = delegate.read(offset, length);
      bytes.addAndGet(b.length);
      return b;
    }
  }

  /** A randomly generated table: its entries in order, and the same entries by user key. */
  record Model(List<Entry> entries, TreeMap<byte[], List<Entry>> byKey, TreeSet<Entry> sorted) {
    static Model of(List<Entry> entries) {
      TreeMap<byte[], List<Entry>> byKey = new TreeMap<>(Arrays::compareUnsigned);
      for (Entry e : entries) {
        byKey.computeIfAbsent(e.userKey(), k -> new ArrayList<>()).add(e);
      }
      TreeSet<Entry> sorted = new TreeSet<>(ORDER);
      sorted.addAll(entries);
      return new Model(entries, byKey, sorted);
    }

    /** The first entry at or after {@code (key, seq)}, as a seek must find it. */
    Entry ceiling(byte[] key, long seq) {
      return sorted.ceiling(new Entry(key, seq, ValueKind.PUT, 0, new byte[0]));
    }

    /** The newest version of {@code key} with seq at most {@code maxSeq}, or null. */
    Entry newest(byte[] key, long maxSeq) {
      Entry c = ceiling(key, maxSeq);
      return c != null && Arrays.equals(c.userKey(), key) ? c : null;
    }
  }

  /**
   * Random distinct keys sharing prefixes (including the empty key), mostly one version each, some
   * with several, one with many; every kind; values empty, small and up to {@code maxValue}.
   */
  static Model randomModel(long seed, int keyCount, int maxValue) {
    return randomModel(seed, keyCount, maxValue, 300);
  }

  /**
   * Like {@link #randomModel(long, int, int)}, with {@code manyVersionCount} versions of one key.
   */
  static Model randomModel(long seed, int keyCount, int maxValue, int manyVersionCount) {
    Random r = new Random(seed);
    TreeSet<byte[]> keys = new TreeSet<>(Arrays::compareUnsigned);
    keys.add(new byte[0]);
    while (keys.size() < keyCount) {
      int len = r.nextInt(10) == 0 ? r.nextInt(300) : r.nextInt(12);
      keys.add(lowEntropyBytes(r, len));
    }
    byte[] manyVersions = keys.stream().skip(keyCount / 2).findFirst().orElseThrow();
    List<Entry> entries = new ArrayList<>();
    for (byte[] key : keys) {
      int versions =
          key == manyVersions ? manyVersionCount : r.nextInt(5) == 0 ? 2 + r.nextInt(6) : 1;
      TreeSet<Long> seqs = new TreeSet<>();
      while (seqs.size() < versions) {
        int choice = r.nextInt(50);
        seqs.add(
            choice == 0
                ? 0L
                : choice == 1 ? SstFormat.MAX_SEQUENCE : (r.nextLong() & SstFormat.MAX_SEQUENCE));
      }
      for (long seq : seqs.descendingSet()) {
        entries.add(randomEntry(r, key, seq, maxValue));
      }
    }
    return Model.of(entries);
  }
}
