package io.isledb.flink.state;

import io.isledb.KV;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.runtime.state.CompositeKeySerializationUtils;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.RegisteredKeyValueStateBackendMetaInfo;

/**
 * {@code getKeys}, {@code getKeysAndNamespaces} and entry counts: a scan of one state's range in
 * every owned key group ({@code kg | id}), read in batches so that no engine iterator stays open
 * while the caller works (writes made meanwhile, as {@code applyToAllKeys} does, are safe). Entries
 * of one (key, namespace) are adjacent, so duplicates (map entries, list elements) are dropped by
 * comparing with the previous one.
 */
final class KeyIteration {
  private KeyIteration() {}

  static <K, N> Stream<K> keys(IsleKeyedStateBackend<K> backend, String state, N namespace) {
    RegisteredKeyValueStateBackendMetaInfo<N, ?> meta = kvMeta(backend, state);
    if (meta == null) {
      return Stream.empty();
    }
    int id = backend.registry().get(state).id;
    TypeSerializer<K> keySerializer = backend.getKeySerializer();
    StateKeys.Builder<K, N> builder =
        new StateKeys.Builder<>(id, keySerializer, meta.getNamespaceSerializer());
    byte[] ns = builder.namespaceBytes(namespace);
    boolean ambiguous = builder.ambiguous();
    Iterator<KV> entries = new StateScan(backend, id);
    DataInputDeserializer in = new DataInputDeserializer();
    Iterator<K> keys =
        new Iterator<>() {
          private K next;
          private byte[] lastKeyBytes;

          @Override
          public boolean hasNext() {
            while (next == null && entries.hasNext()) {
              byte[] raw = entries.next().key();
              in.setBuffer(raw, StateKeys.PREFIX_BYTES, raw.length - StateKeys.PREFIX_BYTES);
              try {
                K key = CompositeKeySerializationUtils.readKey(keySerializer, in, ambiguous);
                int at = in.getPosition();
                if (raw.length - at < ns.length
                    || !Arrays.equals(raw, at, at + ns.length, ns, 0, ns.length)) {
                  continue;
                }
                byte[] keyBytes = Arrays.copyOfRange(raw, 0, at);
                if (lastKeyBytes != null && Arrays.equals(lastKeyBytes, keyBytes)) {
                  continue;
                }
                lastKeyBytes = keyBytes;
                next = key;
              } catch (IOException e) {
                throw new UncheckedIOException("cannot read a key of state '" + state + "'", e);
              }
            }
            return next != null;
          }

          @Override
          public K next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            K k = next;
            next = null;
            return k;
          }
        };
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(keys, Spliterator.ORDERED), false);
  }

  static <K, N> Stream<Tuple2<K, N>> keysAndNamespaces(
      IsleKeyedStateBackend<K> backend, String state) {
    RegisteredKeyValueStateBackendMetaInfo<N, ?> meta = kvMeta(backend, state);
    if (meta == null) {
      return Stream.empty();
    }
    int id = backend.registry().get(state).id;
    TypeSerializer<K> keySerializer = backend.getKeySerializer();
    TypeSerializer<N> nsSerializer = meta.getNamespaceSerializer();
    boolean ambiguous =
        CompositeKeySerializationUtils.isAmbiguousKeyPossible(keySerializer, nsSerializer);
    Iterator<KV> entries = new StateScan(backend, id);
    DataInputDeserializer in = new DataInputDeserializer();
    Iterator<Tuple2<K, N>> pairs =
        new Iterator<>() {
          private Tuple2<K, N> next;
          private byte[] last;

          @Override
          public boolean hasNext() {
            while (next == null && entries.hasNext()) {
              byte[] raw = entries.next().key();
              in.setBuffer(raw, StateKeys.PREFIX_BYTES, raw.length - StateKeys.PREFIX_BYTES);
              try {
                K key = CompositeKeySerializationUtils.readKey(keySerializer, in, ambiguous);
                N ns = CompositeKeySerializationUtils.readNamespace(nsSerializer, in, ambiguous);
                byte[] prefix = Arrays.copyOfRange(raw, 0, in.getPosition());
                if (last != null && Arrays.equals(last, prefix)) {
                  continue;
                }
                last = prefix;
                next = Tuple2.of(key, ns);
              } catch (IOException e) {
                throw new UncheckedIOException("cannot read a key of state '" + state + "'", e);
              }
            }
            return next != null;
          }

          @Override
          public Tuple2<K, N> next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            Tuple2<K, N> t = next;
            next = null;
            return t;
          }
        };
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(pairs, Spliterator.ORDERED), false);
  }

  /** Entries of every keyed (not timer) state: a value, a map entry or a list element each. */
  static int countEntries(IsleKeyedStateBackend<?> backend) {
    long n = 0;
    for (StateRegistry.Entry e : backend.registry().all().values()) {
      if (e.meta instanceof RegisteredKeyValueStateBackendMetaInfo) {
        StateScan scan = new StateScan(backend, e.id);
        while (scan.hasNext()) {
          scan.next();
          n++;
        }
      }
    }
    return (int) Math.min(n, Integer.MAX_VALUE);
  }

  @SuppressWarnings("unchecked")
  private static <N> RegisteredKeyValueStateBackendMetaInfo<N, ?> kvMeta(
      IsleKeyedStateBackend<?> backend, String state) {
    StateRegistry.Entry e = backend.registry().get(state);
    if (e == null || !(e.meta instanceof RegisteredKeyValueStateBackendMetaInfo)) {
      return null;
    }
    return (RegisteredKeyValueStateBackendMetaInfo<N, ?>) e.meta;
  }

  /** The entries of one state in every owned key group, in key order, read in batches. */
  static final class StateScan implements Iterator<KV> {
    private final StateDb db;
    private final int stateId;
    private final int lastKeyGroup;
    private int keyGroup;
    private byte[] from;
    private byte[] end;
    private List<KV> batch = List.of();
    private int index;
    private boolean groupDone = true;

    StateScan(IsleKeyedStateBackend<?> backend, int stateId) {
      this.db = backend.db();
      this.stateId = stateId;
      KeyGroupRange range = backend.getKeyGroupRange();
      this.keyGroup = range.getStartKeyGroup() - 1;
      this.lastKeyGroup = range.getEndKeyGroup();
    }

    @Override
    public boolean hasNext() {
      while (index >= batch.size()) {
        if (groupDone) {
          if (keyGroup >= lastKeyGroup) {
            return false;
          }
          keyGroup++;
          from = StateKeys.statePrefix(keyGroup, stateId);
          end = StateKeys.prefixEnd(from);
        }
        batch = db.scan(from, end, AbstractIsleState.SCAN_BATCH);
        index = 0;
        groupDone = batch.size() < AbstractIsleState.SCAN_BATCH;
        if (!groupDone) {
          from = AbstractIsleState.successor(batch.get(batch.size() - 1).key());
        }
      }
      return true;
    }

    @Override
    public KV next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return batch.get(index++);
    }
  }
}
