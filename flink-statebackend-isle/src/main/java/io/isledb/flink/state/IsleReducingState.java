package io.isledb.flink.state;

import java.util.Collection;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.internal.InternalReducingState;

/** A reducing state: one entry per key and namespace, read-modify-write on {@code add}. */
final class IsleReducingState<K, N, V> extends AbstractIsleState<K, N, V>
    implements InternalReducingState<K, N, V> {
  private final ReduceFunction<V> reduceFunction;

  IsleReducingState(
      IsleKeyedStateBackend<K> backend,
      int stateId,
      TypeSerializer<N> namespaceSerializer,
      TypeSerializer<V> valueSerializer,
      V defaultValue,
      ReduceFunction<V> reduceFunction) {
    super(backend, stateId, namespaceSerializer, valueSerializer, defaultValue);
    this.reduceFunction = reduceFunction;
  }

  @Override
  public V get() {
    return getInternal();
  }

  @Override
  public void add(V value) throws Exception {
    byte[] key = currentKey();
    byte[] old = db().get(key);
    V merged =
        old == null ? value : reduceFunction.reduce(deserialize(old, valueSerializer), value);
    db().put(key, serialize(merged, valueSerializer));
  }

  @Override
  public V getInternal() {
    byte[] bytes = db().get(currentKey());
    return bytes == null ? null : deserialize(bytes, valueSerializer);
  }

  @Override
  public void updateInternal(V value) {
    if (value == null) {
      clear();
    } else {
      db().put(currentKey(), serialize(value, valueSerializer));
    }
  }

  @Override
  public void mergeNamespaces(N target, Collection<N> sources) throws Exception {
    if (sources == null || sources.isEmpty()) {
      return;
    }
    V merged = null;
    for (N source : sources) {
      byte[] key = keyFor(source);
      byte[] bytes = db().get(key);
      if (bytes != null) {
        db().delete(key);
        V v = deserialize(bytes, valueSerializer);
        merged = merged == null ? v : reduceFunction.reduce(merged, v);
      }
    }
    if (merged != null) {
      byte[] targetKey = keyFor(target);
      byte[] old = db().get(targetKey);
      if (old != null) {
        merged = reduceFunction.reduce(merged, deserialize(old, valueSerializer));
      }
      db().put(targetKey, serialize(merged, valueSerializer));
    }
  }

  @Override
  public void clear() {
    db().delete(currentKey());
  }

  @Override
  byte[] serializedValueOf(byte[] key, TypeSerializer<V> safeValueSerializer) {
    return db().get(key);
  }
}
