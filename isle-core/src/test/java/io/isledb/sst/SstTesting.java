package io.isledb.sst;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
}
