package io.isledb.flink.state;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.CompositeKeySerializationUtils;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.ListDelimitedSerializer;
import org.apache.flink.runtime.state.RegisteredKeyValueStateBackendMetaInfo;
import org.apache.flink.runtime.state.StateSerializerProvider;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;
import org.apache.flink.runtime.state.restore.FullSnapshotRestoreOperation;
import org.apache.flink.runtime.state.restore.KeyGroup;
import org.apache.flink.runtime.state.restore.KeyGroupEntry;
import org.apache.flink.runtime.state.restore.SavepointRestoreResult;
import org.apache.flink.runtime.state.restore.ThrowingIterator;

/**
 * Restores a canonical savepoint (Flink's portable key-groups format, written by any backend:
 * RocksDB, hashmap, isle) into a new database: Flink's {@link FullSnapshotRestoreOperation} reads
 * the handles (key serializer check included) and this class writes each entry in the isle layout.
 * The inverse of {@link CanonicalSavepoint}: Flink's key-group prefix becomes {@code kg | stateId},
 * and a list's delimited value becomes one entry of framed elements ({@link ListFraming}).
 */
final class CanonicalRestore {
  private CanonicalRestore() {}

  /** Restores {@code handles}, registers their states, and returns the key serializer to use. */
  static <K> TypeSerializer<K> restore(
      Collection<KeyedStateHandle> handles,
      KeyGroupRange range,
      int numberOfKeyGroups,
      StateDb target,
      StateRegistry registry,
      TypeSerializer<K> keySerializer,
      ClassLoader userClassLoader)
      throws Exception {
    StateSerializerProvider<K> keys =
        StateSerializerProvider.fromNewRegisteredSerializer(keySerializer);
    int prefixBytes =
        CompositeKeySerializationUtils.computeRequiredBytesInKeyGroupPrefix(numberOfKeyGroups);
    try (ThrowingIterator<SavepointRestoreResult> results =
        new FullSnapshotRestoreOperation<>(range, userClassLoader, handles, keys).restore()) {
      while (results.hasNext()) {
        SavepointRestoreResult result = results.next();
        List<TypeSerializer<Object>> lists = new ArrayList<>();
        Map<Integer, Integer> ids = register(result.getStateMetaInfoSnapshots(), registry, lists);
        try (ThrowingIterator<KeyGroup> groups = result.getRestoredKeyGroups()) {
          while (groups.hasNext()) {
            KeyGroup group = groups.next();
            try (ThrowingIterator<KeyGroupEntry> entries = group.getKeyGroupEntries()) {
              while (entries.hasNext()) {
                KeyGroupEntry e = entries.next();
                int kvStateId = e.getKvStateId();
                byte[] key =
                    isleKey(group.getKeyGroupId(), ids.get(kvStateId), e.getKey(), prefixBytes);
                TypeSerializer<Object> elements = lists.get(kvStateId);
                if (elements == null) {
                  target.put(key, e.getValue());
                } else {
                  putElements(target, registry, key, e.getValue(), elements);
                }
              }
            }
          }
        }
      }
    }
    return keys.currentSchemaSerializer();
  }

  /**
   * Registers the savepoint's states; returns kvStateId to isle state id, fills list serializers.
   */
  @SuppressWarnings("unchecked")
  private static Map<Integer, Integer> register(
      List<StateMetaInfoSnapshot> metas,
      StateRegistry registry,
      List<TypeSerializer<Object>> listElements) {
    Map<String, Integer> byIndex = new LinkedHashMap<>();
    for (int i = 0; i < metas.size(); i++) {
      byIndex.put(metas.get(i).getName(), i);
    }
    Map<Integer, Integer> ids = registry.merge(new StateRegistry.Decoded(1, byIndex, null, metas));
    for (StateMetaInfoSnapshot meta : metas) {
      StateRegistry.Entry entry = registry.get(meta.getName());
      TypeSerializer<Object> elements = null;
      if (entry.meta instanceof RegisteredKeyValueStateBackendMetaInfo<?, ?> kv
          && kv.getStateType() == StateDescriptor.Type.LIST) {
        elements = ((ListSerializer<Object>) kv.getStateSerializer()).getElementSerializer();
      }
      listElements.add(elements);
    }
    return new HashMap<>(ids);
  }

  private static byte[] isleKey(int keyGroup, Integer stateId, byte[] flinkKey, int prefixBytes) {
    if (stateId == null) {
      throw new IllegalStateException("a savepoint entry of an unregistered state");
    }
    int body = flinkKey.length - prefixBytes;
    byte[] out = new byte[StateKeys.PREFIX_BYTES + body];
    byte[] head = StateKeys.statePrefix(keyGroup, stateId);
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(flinkKey, prefixBytes, out, StateKeys.PREFIX_BYTES, body);
    return out;
  }

  /** A delimited list value as one entry of framed elements, in order (see {@link ListFraming}). */
  private static void putElements(
      StateDb target,
      StateRegistry registry,
      byte[] key,
      byte[] value,
      TypeSerializer<Object> elements)
      throws java.io.IOException {
    DataInputDeserializer in = new DataInputDeserializer(value);
    DataOutputSerializer out = new DataOutputSerializer(64);
    List<byte[]> serialized = new ArrayList<>();
    while (in.available() > 0) {
      Object element = ListDelimitedSerializer.deserializeNextElement(in, elements);
      if (element == null) {
        continue;
      }
      out.clear();
      elements.serialize(element, out);
      serialized.add(out.getCopyOfBuffer());
    }
    if (!serialized.isEmpty()) {
      target.put(key, ListFraming.frameAll(serialized));
    }
  }
}
