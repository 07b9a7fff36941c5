package io.isledb.db;

import io.isledb.sst.ValueKind;
import io.isledb.util.Bytes;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The writer's in-memory table: entries sorted by (user key ascending, sequence descending), every
 * version kept (the tailing reader emits each one). Concurrent inserts and reads; a frozen memtable
 * is only read.
 */
final class Memtable {
  /** Approximate per-entry overhead of the skip list node, key and value objects. */
  private static final int ENTRY_OVERHEAD = 80;

  /** An internal key: user key and sequence number. */
  record Key(byte[] userKey, long seq) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = Bytes.compare(userKey, o.userKey);
      return c != 0 ? c : Long.compare(o.seq, seq);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && compareTo(k) == 0;
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(userKey) * 31 + Long.hashCode(seq);
    }
  }

  /** A stored version: its kind, expiry (0 = none) and value (a blob reference for blob kinds). */
  record Value(ValueKind kind, long expiresAt, byte[] value) {}

  private final ConcurrentSkipListMap<Key, Value> map = new ConcurrentSkipListMap<>();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong minSeq = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong maxSeq = new AtomicLong(0);
  private final AtomicLong minTime = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong maxTime = new AtomicLong(Long.MIN_VALUE);
  private final long createdNanos;
  private volatile long generation;
  private volatile long firstAddNanos;

  Memtable(long createdNanos) {
    this.createdNanos = createdNanos;
  }

  void add(byte[] key, long seq, ValueKind kind, long expiresAt, byte[] value, long nowMillis) {
    if (firstAddNanos == 0) {
      firstAddNanos = System.nanoTime();
    }
    map.put(new Key(key, seq), new Value(kind, expiresAt, value));
    bytes.addAndGet(key.length + value.length + ENTRY_OVERHEAD);
    minSeq.accumulateAndGet(seq, Math::min);
    maxSeq.accumulateAndGet(seq, Math::max);
    minTime.accumulateAndGet(nowMillis, Math::min);
    maxTime.accumulateAndGet(nowMillis, Math::max);
  }

  boolean isEmpty() {
    return map.isEmpty();
  }

  int entries() {
    return map.size();
  }

  long approximateBytes() {
    return bytes.get();
  }

  long minSeq() {
    return minSeq.get();
  }

  long maxSeq() {
    return maxSeq.get();
  }

  long minTime() {
    return minTime.get();
  }

  long maxTime() {
    return maxTime.get();
  }

  long createdNanos() {
    return createdNanos;
  }

  /** When the first entry was added ({@link System#nanoTime()}), 0 while empty. */
  long firstAddNanos() {
    return firstAddNanos;
  }

  long generation() {
    return generation;
  }

  void setGeneration(long g) {
    generation = g;
  }

  /** All entries in internal key order. */
  Iterator<Map.Entry<Key, Value>> iterator() {
    return map.entrySet().iterator();
  }
}
