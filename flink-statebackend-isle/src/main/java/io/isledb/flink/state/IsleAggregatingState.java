package io.isledb.flink.state;

import java.util.Collection;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.internal.InternalAggregatingState;

/**
 * An aggregating state: the accumulator is one entry per key and namespace, read-modify-write on
 * {@code add}.
 */
final class IsleAggregatingState<K, N, IN, ACC, OUT> extends AbstractIsleState<K, N, ACC>
    implements InternalAggregatingState<K, N, IN, ACC, OUT> {
  private final AggregateFunction<IN, ACC, OUT> function;

  IsleAggregatingState(
      IsleKeyedStateBackend<K> backend,
      int stateId,
      TypeSerializer<N> namespaceSerializer,
      TypeSerializer<ACC> accumulatorSerializer,
      AggregateFunction<IN, ACC, OUT> function) {
    super(backend, stateId, namespaceSerializer, accumulatorSerializer, null);
    this.function = function;
  }

  @Override
  public OUT get() {
    ACC acc = getInternal();
    return acc == null ? null : function.getResult(acc);
  }

  @Override
  public void add(IN value) {
    byte[] key = currentKey();
    byte[] old = db().get(key);
    ACC acc = old == null ? function.createAccumulator() : deserialize(old, valueSerializer);
    db().put(key, serialize(function.add(value, acc), valueSerializer));
  }

  @Override
  public ACC getInternal() {
    byte[] bytes = db().get(currentKey());
    return bytes == null ? null : deserialize(bytes, valueSerializer);
  }

  @Override
  public void updateInternal(ACC value) {
    if (value == null) {
      clear();
    } else {
      db().put(currentKey(), serialize(value, valueSerializer));
    }
  }

  @Override
  public void mergeNamespaces(N target, Collection<N> sources) {
    if (sources == null || sources.isEmpty()) {
      return;
    }
    ACC merged = null;
    for (N source : sources) {
      byte[] key = keyFor(source);
      byte[] bytes = db().get(key);
      if (bytes != null) {
        db().delete(key);
        ACC acc = deserialize(bytes, valueSerializer);
        merged = merged == null ? acc : function.merge(merged, acc);
      }
    }
    if (merged != null) {
      byte[] targetKey = keyFor(target);
      byte[] old = db().get(targetKey);
      if (old != null) {
        merged = function.merge(merged, deserialize(old, valueSerializer));
      }
      db().put(targetKey, serialize(merged, valueSerializer));
    }
  }

  @Override
  public void clear() {
    db().delete(currentKey());
  }

  @Override
  byte[] serializedValueOf(byte[] key, TypeSerializer<ACC> safeValueSerializer) {
    return db().get(key);
  }
}
