package io.isledb.flink.state;

import io.isledb.KV;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.KeyExtractorFunction;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyGroupedInternalPriorityQueue;
import org.apache.flink.runtime.state.Keyed;
import org.apache.flink.runtime.state.PriorityComparable;
import org.apache.flink.runtime.state.PriorityComparator;
import org.apache.flink.runtime.state.heap.HeapPriorityQueueElement;
import org.apache.flink.runtime.state.heap.HeapPriorityQueueSet;
import org.apache.flink.runtime.state.heap.KeyGroupPartitionedPriorityQueue;
import org.apache.flink.util.CloseableIterator;

/**
 * A timer queue (any Flink priority queue state) stored in the database under {@code kg | id |
 * element}, so a checkpoint's version holds the timers.
 *
 * <ul>
 *   <li>{@code ISLE} timer service: Flink's {@link KeyGroupPartitionedPriorityQueue} of one {@link
 *       CachedTimerSet} per key group, each written through on every change and keeping at most
 *       {@code state.backend.isle.timer-service.cache-size} of its earliest timers in memory (the
 *       layout of Flink's RocksDB timers). A restore loads nothing up front.
 *   <li>{@code HEAP}: the whole set in memory as Flink's {@link HeapPriorityQueueSet}, rewritten
 *       into the database at each checkpoint's cut and loaded at restore.
 * </ul>
 */
final class IsleTimerQueue<
        T extends HeapPriorityQueueElement & PriorityComparable<? super T> & Keyed<?>>
    implements KeyGroupedInternalPriorityQueue<T> {
  private final IsleKeyedStateBackend<?> backend;
  private final int stateId;
  private final boolean writeThrough;
  private final KeyGroupRange keyGroupRange;
  private final int numberOfKeyGroups;
  private final HeapPriorityQueueSet<T> heap; // HEAP only
  private final KeyGroupedInternalPriorityQueue<T> queue; // the heap, or the cached sets (ISLE)
  private final List<CachedTimerSet<T>> cachedSets = new java.util.ArrayList<>();
  private TypeSerializer<T> serializer;
  private final org.apache.flink.core.memory.DataOutputSerializer out =
      new org.apache.flink.core.memory.DataOutputSerializer(32);

  IsleTimerQueue(
      IsleKeyedStateBackend<?> backend,
      int stateId,
      TypeSerializer<T> serializer,
      boolean writeThrough,
      int cacheSize,
      boolean restored) {
    this.backend = backend;
    this.stateId = stateId;
    this.serializer = serializer;
    this.writeThrough = writeThrough;
    this.keyGroupRange = backend.getKeyGroupRange();
    this.numberOfKeyGroups = backend.getNumberOfKeyGroups();
    if (!writeThrough) {
      this.heap =
          new HeapPriorityQueueSet<>(
              PriorityComparator.forPriorityComparableObjects(),
              KeyExtractorFunction.forKeyedObjects(),
              128,
              keyGroupRange,
              numberOfKeyGroups);
      this.queue = heap;
      return;
    }
    this.heap = null;
    CachedTimerSet.Codec<T> codec =
        new CachedTimerSet.Codec<>() {
          @Override
          public byte[] key(T element) {
            return keyOf(element);
          }

          @Override
          public T decode(byte[] key) {
            return decodeKey(key);
          }
        };
    this.queue =
        new KeyGroupPartitionedPriorityQueue<T, CachedTimerSet<T>>(
            KeyExtractorFunction.<T>forKeyedObjects(),
            PriorityComparator.<T>forPriorityComparableObjects(),
            (keyGroup, numKeyGroups, keyExtractor, comparator) -> {
              CachedTimerSet<T> set =
                  new CachedTimerSet<>(
                      backend.db(),
                      codec,
                      StateKeys.statePrefix(keyGroup, stateId),
                      cacheSize,
                      !restored);
              cachedSets.add(set);
              return set;
            },
            keyGroupRange,
            numberOfKeyGroups);
  }

  /** Timers held in memory now, over every key group (ISLE: at most the cache size per group). */
  long cachedTimers() {
    if (heap != null) {
      return heap.size();
    }
    return cachedSets.stream().mapToLong(CachedTimerSet::cached).sum();
  }

  /** The most timers one key group holds in memory now (tests). */
  int maxCachedPerKeyGroup() {
    return cachedSets.stream().mapToInt(CachedTimerSet::cached).max().orElse(0);
  }

  private T decodeKey(byte[] key) {
    org.apache.flink.core.memory.DataInputDeserializer in =
        new org.apache.flink.core.memory.DataInputDeserializer(
            key, StateKeys.PREFIX_BYTES, key.length - StateKeys.PREFIX_BYTES);
    try {
      return serializer.deserialize(in);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot deserialize a timer of state " + stateId, e);
    }
  }

  void setSerializer(TypeSerializer<T> serializer) {
    this.serializer = serializer;
  }

  /** HEAP mode: loads the stored elements of every owned key group (after a restore). */
  void load() throws java.io.IOException {
    if (writeThrough) {
      return; // ISLE: each key group's cache fills from the database when first asked
    }
    org.apache.flink.core.memory.DataInputDeserializer in =
        new org.apache.flink.core.memory.DataInputDeserializer();
    for (int kg = keyGroupRange.getStartKeyGroup(); kg <= keyGroupRange.getEndKeyGroup(); kg++) {
      byte[] prefix = StateKeys.statePrefix(kg, stateId);
      byte[] end = StateKeys.prefixEnd(prefix);
      byte[] from = prefix;
      while (true) {
        List<KV> batch = backend.db().scan(from, end, AbstractIsleState.SCAN_BATCH);
        for (KV kv : batch) {
          in.setBuffer(kv.key(), StateKeys.PREFIX_BYTES, kv.key().length - StateKeys.PREFIX_BYTES);
          heap.add(serializer.deserialize(in));
        }
        if (batch.size() < AbstractIsleState.SCAN_BATCH) {
          break;
        }
        from = AbstractIsleState.successor(batch.get(batch.size() - 1).key());
      }
    }
  }

  /** HEAP mode, at a checkpoint's cut: replaces the stored elements by the ones in memory. */
  void rewrite() {
    if (writeThrough) {
      return;
    }
    for (int kg = keyGroupRange.getStartKeyGroup(); kg <= keyGroupRange.getEndKeyGroup(); kg++) {
      byte[] prefix = StateKeys.statePrefix(kg, stateId);
      byte[] end = StateKeys.prefixEnd(prefix);
      while (true) {
        List<KV> batch = backend.db().scan(prefix, end, AbstractIsleState.SCAN_BATCH);
        for (KV kv : batch) {
          backend.db().delete(kv.key());
        }
        if (batch.size() < AbstractIsleState.SCAN_BATCH) {
          break;
        }
      }
    }
    try (CloseableIterator<T> it = heap.iterator()) {
      while (it.hasNext()) {
        backend.db().put(keyOf(it.next()), new byte[0]);
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot write the timers of state " + stateId, e);
    }
  }

  private byte[] keyOf(T element) {
    try {
      int kg = KeyGroupRangeAssignment.assignToKeyGroup(element.getKey(), numberOfKeyGroups);
      out.clear();
      out.writeShort(kg);
      out.writeShort(stateId);
      serializer.serialize(element, out);
      return out.getCopyOfBuffer();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot serialize a timer of state " + stateId, e);
    }
  }

  @Override
  public T poll() {
    return queue.poll();
  }

  @Override
  public T peek() {
    return queue.peek();
  }

  @Override
  public boolean add(T element) {
    return queue.add(element);
  }

  @Override
  public boolean remove(T element) {
    return queue.remove(element);
  }

  @Override
  public boolean isEmpty() {
    return queue.isEmpty();
  }

  @Override
  public int size() {
    return queue.size();
  }

  @Override
  public void addAll(Collection<? extends T> elements) {
    queue.addAll(elements);
  }

  @Override
  public CloseableIterator<T> iterator() {
    return queue.iterator();
  }

  @Override
  public Set<T> getSubsetForKeyGroup(int keyGroupId) {
    return queue.getSubsetForKeyGroup(keyGroupId);
  }
}
