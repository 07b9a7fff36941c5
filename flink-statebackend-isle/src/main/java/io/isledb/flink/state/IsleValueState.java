package io.isledb.flink.state;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.internal.InternalValueState;

/** A value state: one entry under {@code kg | id | key | namespace}. */
final class IsleValueState<K, N, V> extends AbstractIsleState<K, N, V>
    implements InternalValueState<K, N, V> {

  IsleValueState(
      IsleKeyedStateBackend<K> backend,
      int stateId,
      TypeSerializer<N> namespaceSerializer,
      TypeSerializer<V> valueSerializer,
      V defaultValue) {
    super(backend, stateId, namespaceSerializer, valueSerializer, defaultValue);
  }

  @Override
  public V value() {
    byte[] bytes = db().get(currentKey());
    return bytes == null ? defaultValueCopy() : deserialize(bytes, valueSerializer);
  }

  @Override
  public void update(V value) {
    if (value == null) {
      clear();
      return;
    }
    db().put(currentKey(), serialize(value, valueSerializer));
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
