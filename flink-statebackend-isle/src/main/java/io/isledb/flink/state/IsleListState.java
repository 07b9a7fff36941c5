package io.isledb.flink.state;

import io.isledb.KV;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.internal.InternalListState;
import org.apache.flink.util.Preconditions;

/**
 * A list state whose elements are separate entries, {@code kg | id | key | namespace | seq} with a
 * backend-wide increasing 8-byte sequence number: {@code add} is a blind write (no read), {@code
 * get} a prefix scan that returns the elements in the order they were added. {@code update} scans
 * the old elements and overwrites their keys in order (deleting only a surplus, appending only what
 * is beyond the old length), so repeated updates leave no tombstones for later scans.
 */
final class IsleListState<K, N, V> extends AbstractIsleState<K, N, List<V>>
    implements InternalListState<K, N, V> {

  IsleListState(
      IsleKeyedStateBackend<K> backend,
      int stateId,
      TypeSerializer<N> namespaceSerializer,
      TypeSerializer<List<V>> valueSerializer) {
    super(backend, stateId, namespaceSerializer, valueSerializer, null);
  }

  private TypeSerializer<V> elementSerializer() {
    return ((ListSerializer<V>) valueSerializer).getElementSerializer();
  }

  private byte[] elementKey(byte[] prefix) {
    return ByteBuffer.allocate(prefix.length + 8)
        .put(prefix)
        .putLong(backend.registry().nextListSeq())
        .array();
  }

  @Override
  public Iterable<V> get() {
    return getInternal();
  }

  @Override
  public List<V> getInternal() {
    List<V> out = readElements(currentKey(), false);
    return out.isEmpty() ? null : out;
  }

  private List<V> readElements(byte[] prefix, boolean delete) {
    TypeSerializer<V> elements = elementSerializer();
    List<V> out = new ArrayList<>();
    byte[] end = StateKeys.prefixEnd(prefix);
    byte[] from = prefix;
    while (true) {
      List<KV> batch = db().scan(from, end, SCAN_BATCH);
      for (KV kv : batch) {
        out.add(deserialize(kv.value(), elements));
        if (delete) {
          db().delete(kv.key());
        }
      }
      if (batch.size() < SCAN_BATCH) {
        return out;
      }
      from = successor(batch.get(batch.size() - 1).key());
    }
  }

  @Override
  public void add(V value) {
    Preconditions.checkNotNull(value, "You cannot add null to a ListState.");
    db().put(elementKey(currentKey()), serialize(value, elementSerializer()));
  }

  @Override
  public void addAll(List<V> values) {
    Preconditions.checkNotNull(values, "List of values to add cannot be null.");
    checkNoNulls(values);
    append(currentKey(), values);
  }

  @Override
  public void update(List<V> values) {
    Preconditions.checkNotNull(values, "List of values to add cannot be null.");
    checkNoNulls(values);
    byte[] prefix = currentKey();
    TypeSerializer<V> elements = elementSerializer();
    // Overwrites the old elements' keys in order instead of deleting them and writing new keys: a
    // list updated again and again keeps the same keys, so no tombstones pile up under its prefix
    // (each of which every later get and update would scan past, in the memtables and in the
    // tables until compaction drops them). Only a shrinking list deletes its surplus keys; a
    // growing one appends keys after the old ones, so the order stays the order of the values.
    int next = 0;
    byte[] end = StateKeys.prefixEnd(prefix);
    byte[] from = prefix;
    while (true) {
      List<KV> batch = db().scan(from, end, SCAN_BATCH);
      for (KV kv : batch) {
        if (next < values.size()) {
          db().put(kv.key(), serialize(values.get(next++), elements));
        } else {
          db().delete(kv.key());
        }
      }
      if (batch.size() < SCAN_BATCH) {
        break;
      }
      from = successor(batch.get(batch.size() - 1).key());
    }
    append(prefix, next == 0 ? values : values.subList(next, values.size()));
  }

  @Override
  public void updateInternal(List<V> values) {
    update(values);
  }

  private void append(byte[] prefix, List<V> values) {
    TypeSerializer<V> elements = elementSerializer();
    for (V v : values) {
      db().put(elementKey(prefix), serialize(v, elements));
    }
  }

  private static <V> void checkNoNulls(List<V> values) {
    for (V v : values) {
      Preconditions.checkNotNull(v, "You cannot add null to a ListState.");
    }
  }

  @Override
  public void mergeNamespaces(N target, Collection<N> sources) {
    if (sources == null || sources.isEmpty()) {
      return;
    }
    List<V> moved = new ArrayList<>();
    for (N source : sources) {
      moved.addAll(readElements(keyFor(source), true));
    }
    append(keyFor(target), moved);
  }

  @Override
  public void clear() {
    deletePrefix(currentKey());
  }

  /** Elements separated by one byte, the format Flink's queryable-state client reads. */
  @Override
  byte[] serializedValueOf(byte[] key, TypeSerializer<List<V>> safeValueSerializer)
      throws IOException {
    TypeSerializer<V> elements = ((ListSerializer<V>) safeValueSerializer).getElementSerializer();
    byte[] end = StateKeys.prefixEnd(key);
    DataOutputSerializer out = new DataOutputSerializer(128);
    boolean first = true;
    byte[] from = key;
    org.apache.flink.core.memory.DataInputDeserializer in =
        new org.apache.flink.core.memory.DataInputDeserializer();
    while (true) {
      List<KV> batch = db().scan(from, end, SCAN_BATCH);
      for (KV kv : batch) {
        if (!first) {
          out.writeByte(',');
        }
        first = false;
        in.setBuffer(kv.value());
        elements.serialize(elements.deserialize(in), out);
      }
      if (batch.size() < SCAN_BATCH) {
        return first ? null : out.getCopyOfBuffer();
      }
      from = successor(batch.get(batch.size() - 1).key());
    }
  }
}
