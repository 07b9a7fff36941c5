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
import org.apache.flink.util.CloseableIterator;

/**
 * A timer queue (any Flink priority queue state) kept in memory as Flink's {@link
 * HeapPriorityQueueSet} and stored in the database under {@code kg | id | element}: written through
 * on every change ({@code ISLE} timer service), or rewritten at each checkpoint's cut ({@code
 * HEAP}). Either way a checkpoint's version holds the timers, and a restore loads them.
 *
 * <p>The whole set is cached in memory (not only its head): an ISLE timer service that keeps only
 * the head in memory is later work.
 */
final class IsleTimerQueue<
        T extends HeapPriorityQueueElement & PriorityComparable<? super T> & Keyed<?>>
    implements KeyGroupedInternalPriorityQueue<T> {
  private final IsleKeyedStateBackend<?> backend;
  private final int stateId;
  private final boolean writeThrough;
  private final KeyGroupRange keyGroupRange;
  private final int numberOfKeyGroups;
  private final HeapPriorityQueueSet<T> heap;
  private TypeSerializer<T> serializer;
  private final org.apache.flink.core.memory.DataOutputSerializer out =
      new org.apache.flink.core.memory.DataOutputSerializer(32);

  IsleTimerQueue(
      IsleKeyedStateBackend<?> backend,
      int stateId,
      TypeSerializer<T> serializer,
      boolean writeThrough) {
    this.backend = backend;
    this.stateId = stateId;
    this.serializer = serializer;
    this.writeThrough = writeThrough;
    this.keyGroupRange = backend.getKeyGroupRange();
    this.numberOfKeyGroups = backend.getNumberOfKeyGroups();
    this.heap =
        new HeapPriorityQueueSet<>(
            PriorityComparator.forPriorityComparableObjects(),
            KeyExtractorFunction.forKeyedObjects(),
            128,
            keyGroupRange,
            numberOfKeyGroups);
  }

  void setSerializer(TypeSerializer<T> serializer) {
    this.serializer = serializer;
  }

  /** Loads the stored elements of every owned key group (after a restore). */
  void load() throws java.io.IOException {
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
    T t = heap.poll();
    if (t != null && writeThrough) {
      backend.db().delete(keyOf(t));
    }
    return t;
  }

  @Override
  public T peek() {
    return heap.peek();
  }

  @Override
  public boolean add(T element) {
    boolean headChanged = heap.add(element);
    if (writeThrough) {
      backend.db().put(keyOf(element), new byte[0]);
    }
    return headChanged;
  }

  @Override
  public boolean remove(T element) {
    boolean headChanged = heap.remove(element);
    if (writeThrough) {
      backend.db().delete(keyOf(element));
    }
    return headChanged;
  }

  @Override
  public boolean isEmpty() {
    return heap.isEmpty();
  }

  @Override
  public int size() {
    return heap.size();
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
    return heap.iterator();
  }

  @Override
  public Set<T> getSubsetForKeyGroup(int keyGroupId) {
    return heap.getSubsetForKeyGroup(keyGroupId);
  }
}
