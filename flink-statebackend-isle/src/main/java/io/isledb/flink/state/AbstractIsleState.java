package io.isledb.flink.state;

import io.isledb.KV;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.queryablestate.client.state.serialization.KvStateSerializer;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.internal.InternalKvState;
import org.apache.flink.util.Preconditions;

/**
 * What every state kind shares: the backend's database, the key builder of this state (key group,
 * state id, current key, current namespace), value (de)serialization, and clearing a prefix.
 * Accessed from the task thread only, except {@link #getSerializedValue} (queryable state), which
 * uses its own serializers and buffers.
 *
 * @param <K> the key type
 * @param <N> the namespace type
 * @param <V> the type of the state's value ({@code List<T>} for lists, {@code Map<UK, UV>} for
 *     maps)
 */
abstract class AbstractIsleState<K, N, V> implements InternalKvState<K, N, V> {
  /** Entries read per scan when iterating a prefix (no iterator is held between reads). */
  static final int SCAN_BATCH = 256;

  final IsleKeyedStateBackend<K> backend;
  final int stateId;
  TypeSerializer<N> namespaceSerializer;
  TypeSerializer<V> valueSerializer;
  StateKeys.Builder<K, N> keys;
  final V defaultValue;
  N currentNamespace;
  final DataOutputSerializer valueOut = new DataOutputSerializer(64);
  final DataInputDeserializer valueIn = new DataInputDeserializer();

  AbstractIsleState(
      IsleKeyedStateBackend<K> backend,
      int stateId,
      TypeSerializer<N> namespaceSerializer,
      TypeSerializer<V> valueSerializer,
      V defaultValue) {
    this.backend = backend;
    this.stateId = stateId;
    this.defaultValue = defaultValue;
    setSerializers(namespaceSerializer, valueSerializer);
  }

  /** Takes the serializers of a re-registered state (after a compatibility check). */
  final void setSerializers(TypeSerializer<N> namespace, TypeSerializer<V> value) {
    this.namespaceSerializer = namespace;
    this.valueSerializer = value;
    this.keys = new StateKeys.Builder<>(stateId, backend.getKeySerializer(), namespace);
  }

  StateDb db() {
    return backend.db();
  }

  @Override
  public TypeSerializer<K> getKeySerializer() {
    return backend.getKeySerializer();
  }

  @Override
  public TypeSerializer<N> getNamespaceSerializer() {
    return namespaceSerializer;
  }

  @Override
  public TypeSerializer<V> getValueSerializer() {
    return valueSerializer;
  }

  @Override
  public void setCurrentNamespace(N namespace) {
    this.currentNamespace = Preconditions.checkNotNull(namespace, "namespace");
  }

  /** {@code kg | id | current key | current namespace}. */
  byte[] currentKey() {
    return keyFor(currentNamespace);
  }

  byte[] keyFor(N namespace) {
    return keys.build(backend.getCurrentKeyGroupIndex(), backend.getCurrentKey(), namespace);
  }

  V defaultValueCopy() {
    return defaultValue == null ? null : valueSerializer.copy(defaultValue);
  }

  <T> byte[] serialize(T value, TypeSerializer<T> serializer) {
    try {
      valueOut.clear();
      serializer.serialize(value, valueOut);
      return valueOut.getCopyOfBuffer();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialize a value of state " + stateId, e);
    }
  }

  <T> T deserialize(byte[] bytes, TypeSerializer<T> serializer) {
    try {
      valueIn.setBuffer(bytes);
      return serializer.deserialize(valueIn);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot deserialize a value of state " + stateId, e);
    }
  }

  /** Deletes every key starting with {@code prefix}. */
  void deletePrefix(byte[] prefix) {
    byte[] end = StateKeys.prefixEnd(prefix);
    byte[] from = prefix;
    while (true) {
      List<KV> batch = db().scan(from, end, SCAN_BATCH);
      for (KV kv : batch) {
        db().delete(kv.key());
      }
      if (batch.size() < SCAN_BATCH) {
        return;
      }
      from = successor(batch.get(batch.size() - 1).key());
    }
  }

  /** The smallest key after {@code key}. */
  static byte[] successor(byte[] key) {
    return java.util.Arrays.copyOf(key, key.length + 1);
  }

  @Override
  public byte[] getSerializedValue(
      byte[] serializedKeyAndNamespace,
      TypeSerializer<K> safeKeySerializer,
      TypeSerializer<N> safeNamespaceSerializer,
      TypeSerializer<V> safeValueSerializer)
      throws Exception {
    Tuple2<K, N> keyAndNamespace =
        KvStateSerializer.deserializeKeyAndNamespace(
            serializedKeyAndNamespace, safeKeySerializer, safeNamespaceSerializer);
    int keyGroup =
        KeyGroupRangeAssignment.assignToKeyGroup(
            keyAndNamespace.f0, backend.getNumberOfKeyGroups());
    StateKeys.Builder<K, N> safeKeys =
        new StateKeys.Builder<>(stateId, safeKeySerializer, safeNamespaceSerializer);
    return serializedValueOf(
        safeKeys.build(keyGroup, keyAndNamespace.f0, keyAndNamespace.f1), safeValueSerializer);
  }

  /** The queryable-state form of the value under {@code key} (null if absent). */
  abstract byte[] serializedValueOf(byte[] key, TypeSerializer<V> safeValueSerializer)
      throws Exception;

  @Override
  public StateIncrementalVisitor<K, N, V> getStateIncrementalVisitor(
      int recommendedMaxNumberOfReturnedRecords) {
    throw new UnsupportedOperationException(
        "the isle state backend has no incremental visitor (TTL state is cleaned by compaction)");
  }
}
