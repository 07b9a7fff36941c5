package io.isledb.flink.state;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyedBackendSerializationProxy;
import org.apache.flink.runtime.state.RegisteredKeyValueStateBackendMetaInfo;
import org.apache.flink.runtime.state.RegisteredStateMetaInfoBase;
import org.apache.flink.runtime.state.StateSerializerProvider;
import org.apache.flink.runtime.state.StateSnapshotTransformer.StateSnapshotTransformFactory;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.flink.util.StateMigrationException;

/**
 * The states of one backend: name to (state id, Flink meta info), and the next list element
 * sequence number. Persisted as the metadata record ({@link StateKeys#META_KEY}) at every
 * checkpoint's cut, so a checkpoint's version carries the serializer snapshots of its states, as a
 * RocksDB checkpoint's meta data file does.
 *
 * <p>Record format (version 2, as version 1): {@code int version | long nextListSeq | int n | n *
 * (UTF name, short id) | KeyedBackendSerializationProxy}. {@code nextListSeq} is kept for the
 * layout; lists no longer use it.
 */
final class StateRegistry {
  /**
   * 2: list states keep one entry per (key, namespace) of framed elements ({@link ListFraming}); 1:
   * one entry per element. A version-1 record with a list state is refused (see {@link #decode});
   * one without is read as is (nothing else changed).
   */
  private static final int FORMAT_VERSION = 2;

  /** A registered state: its id in keys and its Flink meta info. */
  static final class Entry {
    final int id;
    RegisteredStateMetaInfoBase meta;

    Entry(int id, RegisteredStateMetaInfoBase meta) {
      this.id = id;
      this.meta = meta;
    }
  }

  private final LinkedHashMap<String, Entry> states = new LinkedHashMap<>();
  private int nextId = 1;
  private long nextListSeq = 1;

  Entry get(String name) {
    return states.get(name);
  }

  Map<String, Entry> all() {
    return states;
  }

  /** Registers a new state under the next free id. */
  Entry register(RegisteredStateMetaInfoBase meta) {
    if (nextId > StateKeys.MAX_STATE_ID) {
      throw new IllegalStateException(
          "too many states in one keyed backend (limit " + StateKeys.MAX_STATE_ID + ")");
    }
    Entry e = new Entry(nextId++, meta);
    states.put(meta.getName(), e);
    return e;
  }

  /** Rewrites the stored values of a restored state for its new serializer. */
  @FunctionalInterface
  interface Migration {
    void migrate(int stateId, RegisteredKeyValueStateBackendMetaInfo<?, ?> meta)
        throws StateMigrationException;
  }

  /**
   * Registers a keyed state, or checks a re-registration (or the first registration after a
   * restore) against its earlier serializers as Flink's RocksDB backend does: the namespace
   * serializer must be compatible (as is or reconfigured); a state serializer compatible after
   * migration has the stored values rewritten by {@code migration}; an incompatible one fails.
   */
  @SuppressWarnings("unchecked")
  <N, SV> RegisteredKeyValueStateBackendMetaInfo<N, SV> registerKeyed(
      TypeSerializer<N> namespaceSerializer,
      StateDescriptor<?, SV> stateDesc,
      boolean allowFutureMetadataUpdates,
      Migration migration)
      throws StateMigrationException {
    Entry entry = states.get(stateDesc.getName());
    RegisteredKeyValueStateBackendMetaInfo<N, SV> meta;
    if (entry == null) {
      meta =
          new RegisteredKeyValueStateBackendMetaInfo<>(
              stateDesc.getType(),
              stateDesc.getName(),
              namespaceSerializer,
              stateDesc.getSerializer(),
              StateSnapshotTransformFactory.noTransform());
      if (allowFutureMetadataUpdates) {
        meta = meta.withSerializerUpgradesAllowed();
      }
      register(meta);
      return meta;
    }
    if (!(entry.meta instanceof RegisteredKeyValueStateBackendMetaInfo)) {
      throw new FlinkRuntimeException(
          "state '" + stateDesc.getName() + "' is a timer queue, not a keyed state");
    }
    meta = (RegisteredKeyValueStateBackendMetaInfo<N, SV>) entry.meta;
    TypeSerializer<N> previousNamespace = meta.getNamespaceSerializer();
    TypeSerializerSchemaCompatibility<N> nsCompat =
        meta.updateNamespaceSerializer(namespaceSerializer);
    if (nsCompat.isCompatibleAfterMigration() || nsCompat.isIncompatible()) {
      throw new StateMigrationException(
          "The new namespace serializer ("
              + namespaceSerializer
              + ") must be compatible with the old namespace serializer ("
              + previousNamespace
              + ").");
    }
    meta.checkStateMetaInfo(stateDesc);
    TypeSerializer<SV> previousState = meta.getStateSerializer();
    TypeSerializerSchemaCompatibility<SV> compat =
        meta.updateStateSerializer(stateDesc.getSerializer());
    if (compat.isCompatibleAfterMigration()) {
      migration.migrate(entry.id, meta);
    } else if (compat.isIncompatible()) {
      throw new StateMigrationException(
          "The new state serializer ("
              + stateDesc.getSerializer()
              + ") must not be incompatible with the old state serializer ("
              + previousState
              + ").");
    }
    if (allowFutureMetadataUpdates) {
      meta = meta.withSerializerUpgradesAllowed();
    }
    entry.meta = meta;
    return meta;
  }

  /** A fresh, increasing sequence number for a list element. */
  long nextListSeq() {
    return nextListSeq++;
  }

  /** The metadata record of the current states. */
  <K> byte[] encode(TypeSerializer<K> keySerializer) {
    try {
      DataOutputSerializer out = new DataOutputSerializer(256);
      out.writeInt(FORMAT_VERSION);
      out.writeLong(nextListSeq);
      out.writeInt(states.size());
      List<StateMetaInfoSnapshot> snapshots = new ArrayList<>(states.size());
      for (Map.Entry<String, Entry> e : states.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeShort(e.getValue().id);
        snapshots.add(e.getValue().meta.snapshot());
      }
      new KeyedBackendSerializationProxy<>(keySerializer, snapshots, false).write(out);
      return out.getCopyOfBuffer();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot write the state backend's metadata", e);
    }
  }

  /** The contents of one metadata record. */
  record Decoded(
      long nextListSeq,
      Map<String, Integer> ids,
      TypeSerializerSnapshot<?> keySerializerSnapshot,
      List<StateMetaInfoSnapshot> metaInfos) {}

  static Decoded decode(byte[] record, ClassLoader userClassLoader) throws IOException {
    DataInputDeserializer in = new DataInputDeserializer(record);
    int version = in.readInt();
    if (version != FORMAT_VERSION && version != 1) {
      throw new IOException("unknown isle state backend metadata version " + version);
    }
    long nextSeq = in.readLong();
    int n = in.readInt();
    Map<String, Integer> ids = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String name = in.readUTF();
      ids.put(name, in.readUnsignedShort());
    }
    KeyedBackendSerializationProxy<?> proxy = new KeyedBackendSerializationProxy<>(userClassLoader);
    proxy.read(in);
    if (version == 1) {
      refusePerElementLists(proxy.getStateMetaInfoSnapshots());
    }
    return new Decoded(
        nextSeq, ids, proxy.getKeySerializerSnapshot(), proxy.getStateMetaInfoSnapshots());
  }

  /**
   * Refuses a checkpoint of the per-element list layout (metadata version 1) that has list states:
   * its lists are one entry per element, which this version cannot read.
   */
  private static void refusePerElementLists(List<StateMetaInfoSnapshot> metas) throws IOException {
    for (StateMetaInfoSnapshot m : metas) {
      String type = m.getOption(StateMetaInfoSnapshot.CommonOptionsKeys.KEYED_STATE_TYPE);
      if (m.getBackendStateType() == StateMetaInfoSnapshot.BackendStateType.KEY_VALUE
          && org.apache.flink.api.common.state.StateDescriptor.Type.LIST.name().equals(type)) {
        throw new IOException(
            "list state '"
                + m.getName()
                + "' was written by an isle state backend with the per-element list layout"
                + " (metadata version 1), which this version no longer reads: restore from a"
                + " canonical savepoint taken with that version (savepoints are"
                + " backend-independent), see docs/flink-statebackend.md");
      }
    }
  }

  /**
   * Merges a restored record: states it has and this registry lacks are registered (under a new id
   * when the restored id is taken by another state), and the list sequence moves past its own.
   *
   * @return the restored id to the id in this registry, for rewriting copied keys
   */
  Map<Integer, Integer> merge(Decoded restored) {
    nextListSeq = Math.max(nextListSeq, restored.nextListSeq);
    Map<Integer, Integer> remap = new java.util.HashMap<>();
    for (StateMetaInfoSnapshot snapshot : restored.metaInfos) {
      Integer oldId = restored.ids.get(snapshot.getName());
      if (oldId == null) {
        continue;
      }
      Entry mine = states.get(snapshot.getName());
      if (mine == null) {
        mine = register(RegisteredStateMetaInfoBase.fromMetaInfoSnapshot(snapshot));
      }
      remap.put(oldId, mine.id);
    }
    return remap;
  }

  /**
   * Whether {@code restored} can be adopted as is beside the states already here: each of its
   * states is either absent here, with an id no state here has, or here under the same id. A
   * database forked from several sources keeps every source's keys, ids included, so their ids must
   * agree.
   */
  boolean agreesWith(Decoded restored) {
    Map<Integer, String> names = new java.util.HashMap<>();
    states.forEach((name, e) -> names.put(e.id, name));
    for (Map.Entry<String, Integer> e : restored.ids.entrySet()) {
      String here = names.get(e.getValue());
      Entry mine = states.get(e.getKey());
      if ((here != null && !here.equals(e.getKey())) || (mine != null && mine.id != e.getValue())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Adopts a restored record as is (the same database reopened): ids and sequence stay those of the
   * record.
   */
  void adopt(Decoded restored) {
    nextListSeq = Math.max(nextListSeq, restored.nextListSeq);
    for (StateMetaInfoSnapshot snapshot : restored.metaInfos) {
      Integer id = restored.ids.get(snapshot.getName());
      if (id != null) {
        states.put(
            snapshot.getName(),
            new Entry(id, RegisteredStateMetaInfoBase.fromMetaInfoSnapshot(snapshot)));
        nextId = Math.max(nextId, id + 1);
      }
    }
  }

  /**
   * Checks the key serializer against the one a checkpoint was written with, as Flink's backends
   * do, and returns the serializer to use.
   */
  @SuppressWarnings("unchecked")
  static <K> TypeSerializer<K> checkKeySerializer(
      TypeSerializer<K> keySerializer, TypeSerializerSnapshot<?> restored)
      throws StateMigrationException {
    StateSerializerProvider<K> provider =
        StateSerializerProvider.fromNewRegisteredSerializer(keySerializer);
    TypeSerializerSchemaCompatibility<K> compat =
        provider.setPreviousSerializerSnapshotForRestoredState(
            (TypeSerializerSnapshot<K>) restored);
    if (compat.isCompatibleAfterMigration() || compat.isIncompatible()) {
      throw new StateMigrationException("The new key serializer must be compatible.");
    }
    return provider.currentSchemaSerializer();
  }
}
