package io.isledb.flink.state;

import io.isledb.KV;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.flink.runtime.state.InternalPriorityQueue;
import org.apache.flink.runtime.state.heap.HeapPriorityQueueElement;
import org.apache.flink.util.CloseableIterator;

/**
 * The timers of one key group of an ISLE timer queue: all of them in the database under {@code kg |
 * stateId | element} (written through on every change), at most {@code capacity} of the earliest
 * ones in memory, as Flink's {@code RocksDBCachingPriorityQueueSet} does. The serialized element
 * orders as its priority (Flink's timer serializer writes the timestamp first, sign bit flipped),
 * so the database's key order is the queue's order and the cache is always a prefix of it: every
 * stored element up to the cache's last one is cached. When the cache runs dry, the next {@code
 * capacity} elements are read from the database in one scan. {@link #size()} is exact from memory
 * while the whole key group fits in the cache; otherwise it counts the stored keys (a scan, as
 * RocksDB's).
 */
final class CachedTimerSet<T> implements InternalPriorityQueue<T>, HeapPriorityQueueElement {
  /** How elements become keys of the database and back. */
  interface Codec<T> {
    byte[] key(T element);

    T decode(byte[] key);
  }

  private static final byte[] EMPTY = new byte[0];

  private final StateDb db;
  private final Codec<T> codec;
  private final byte[] end;
  private final int capacity;
  private final TreeMap<byte[], T> cache = new TreeMap<>(Arrays::compareUnsigned);
  private boolean allInCache;
  // No stored element is below it: scans start here, not at the prefix, so the tombstones of fired
  // timers are not read again (RocksDB's seek hint).
  private byte[] lowerBound;
  private int internalIndex = NOT_CONTAINED;

  /**
   * @param empty whether the database holds none of this key group's elements (a new backend), so
   *     that no scan is needed before the first one is added
   */
  CachedTimerSet(StateDb db, Codec<T> codec, byte[] prefix, int capacity, boolean empty) {
    this.db = db;
    this.codec = codec;
    this.end = StateKeys.prefixEnd(prefix);
    this.capacity = capacity;
    this.allInCache = empty;
    this.lowerBound = prefix;
  }

  /** Elements held in memory now (at most the capacity). */
  int cached() {
    return cache.size();
  }

  @Override
  public T poll() {
    refillIfEmpty();
    Map.Entry<byte[], T> first = cache.pollFirstEntry();
    if (first == null) {
      return null;
    }
    db.delete(first.getKey());
    lowerBound = AbstractIsleState.successor(first.getKey());
    return first.getValue();
  }

  @Override
  public T peek() {
    refillIfEmpty();
    return cache.isEmpty() ? null : cache.firstEntry().getValue();
  }

  @Override
  public boolean add(T element) {
    byte[] key = codec.key(element);
    refillIfEmpty();
    if (cache.containsKey(key)) {
      return false; // a set: already there, in memory and stored
    }
    db.put(key, EMPTY);
    if (Arrays.compareUnsigned(key, lowerBound) < 0) {
      lowerBound = key;
    }
    if (allInCache || Arrays.compareUnsigned(key, cache.lastKey()) < 0) {
      cache.put(key, element);
      if (cache.size() > capacity) {
        cache.pollLastEntry(); // stays in the database only
        allInCache = false;
      }
      return cache.firstKey() == key;
    }
    return false; // after the cached head: in the database only
  }

  @Override
  public boolean remove(T element) {
    byte[] key = codec.key(element);
    refillIfEmpty();
    boolean head = !cache.isEmpty() && Arrays.equals(cache.firstKey(), key);
    db.delete(key);
    cache.remove(key);
    return head;
  }

  @Override
  public boolean isEmpty() {
    return peek() == null;
  }

  @Override
  public int size() {
    if (allInCache) {
      return cache.size();
    }
    int n = 0;
    byte[] from = lowerBound;
    while (true) {
      List<KV> batch = db.scan(from, end, AbstractIsleState.SCAN_BATCH);
      n += batch.size();
      if (batch.size() < AbstractIsleState.SCAN_BATCH) {
        return n;
      }
      from = AbstractIsleState.successor(batch.get(batch.size() - 1).key());
    }
  }

  @Override
  public void addAll(Collection<? extends T> elements) {
    if (elements != null) {
      for (T t : elements) {
        add(t);
      }
    }
  }

  @Override
  public CloseableIterator<T> iterator() {
    if (allInCache) {
      return CloseableIterator.adapterForIterator(new ArrayList<>(cache.values()).iterator());
    }
    return CloseableIterator.adapterForIterator(new StoredIterator());
  }

  @Override
  public int getInternalIndex() {
    return internalIndex;
  }

  @Override
  public void setInternalIndex(int newIndex) {
    this.internalIndex = newIndex;
  }

  /** Loads the next elements when the cache ran dry while the database holds more. */
  private void refillIfEmpty() {
    if (!cache.isEmpty() || allInCache) {
      return;
    }
    List<KV> batch = db.scan(lowerBound, end, capacity + 1);
    for (int i = 0; i < Math.min(capacity, batch.size()); i++) {
      byte[] key = batch.get(i).key();
      cache.put(key, codec.decode(key));
    }
    allInCache = batch.size() <= capacity;
  }

  /** Every stored element in order, read in batches (no iterator stays open between batches). */
  private final class StoredIterator implements Iterator<T> {
    private byte[] from = lowerBound;
    private List<KV> batch = List.of();
    private int next;
    private boolean last;

    @Override
    public boolean hasNext() {
      if (next < batch.size()) {
        return true;
      }
      if (last) {
        return false;
      }
      batch = db.scan(from, end, AbstractIsleState.SCAN_BATCH);
      next = 0;
      last = batch.size() < AbstractIsleState.SCAN_BATCH;
      if (!batch.isEmpty()) {
        from = AbstractIsleState.successor(batch.get(batch.size() - 1).key());
      }
      return next < batch.size();
    }

    @Override
    public T next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return codec.decode(batch.get(next++).key());
    }
  }
}
