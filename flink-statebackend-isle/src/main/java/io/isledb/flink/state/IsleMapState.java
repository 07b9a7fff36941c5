package io.isledb.flink.state;

import io.isledb.KV;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.MapSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.internal.InternalMapState;

/**
 * A map state whose entries are separate keys, {@code kg | id | key | namespace | userKey}, so a
 * get is a point read and iteration is an ordered prefix scan (read in batches; no iterator stays
 * open). A value is stored as {@code isNull (1 byte) | value}.
 */
final class IsleMapState<K, N, UK, UV> extends AbstractIsleState<K, N, Map<UK, UV>>
    implements InternalMapState<K, N, UK, UV> {

  IsleMapState(
      IsleKeyedStateBackend<K> backend,
      int stateId,
      TypeSerializer<N> namespaceSerializer,
      TypeSerializer<Map<UK, UV>> valueSerializer) {
    super(backend, stateId, namespaceSerializer, valueSerializer, null);
  }

  private TypeSerializer<UK> userKeySerializer() {
    return ((MapSerializer<UK, UV>) valueSerializer).getKeySerializer();
  }

  private TypeSerializer<UV> userValueSerializer() {
    return ((MapSerializer<UK, UV>) valueSerializer).getValueSerializer();
  }

  private byte[] entryKey(UK userKey) {
    return keys.build(
        backend.getCurrentKeyGroupIndex(),
        backend.getCurrentKey(),
        currentNamespace,
        userKey,
        userKeySerializer());
  }

  private byte[] encodeValue(UV value) {
    try {
      valueOut.clear();
      valueOut.writeBoolean(value == null);
      if (value != null) {
        userValueSerializer().serialize(value, valueOut);
      }
      return valueOut.getCopyOfBuffer();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialize a map value of state " + stateId, e);
    }
  }

  private UV decodeValue(byte[] bytes) {
    try {
      valueIn.setBuffer(bytes);
      return valueIn.readBoolean() ? null : userValueSerializer().deserialize(valueIn);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot deserialize a map value of state " + stateId, e);
    }
  }

  private UK decodeUserKey(byte[] key, int prefixLength) {
    try {
      DataInputDeserializer in =
          new DataInputDeserializer(key, prefixLength, key.length - prefixLength);
      return userKeySerializer().deserialize(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot deserialize a map key of state " + stateId, e);
    }
  }

  @Override
  public UV get(UK userKey) {
    byte[] bytes = db().get(entryKey(userKey));
    return bytes == null ? null : decodeValue(bytes);
  }

  @Override
  public void put(UK userKey, UV value) {
    db().put(entryKey(userKey), encodeValue(value));
  }

  @Override
  public void putAll(Map<UK, UV> map) {
    if (map == null) {
      return;
    }
    for (Map.Entry<UK, UV> e : map.entrySet()) {
      put(e.getKey(), e.getValue());
    }
  }

  @Override
  public void remove(UK userKey) {
    db().delete(entryKey(userKey));
  }

  @Override
  public boolean contains(UK userKey) {
    return db().get(entryKey(userKey)) != null;
  }

  @Override
  public Iterable<Map.Entry<UK, UV>> entries() {
    return this::iterator;
  }

  @Override
  public Iterable<UK> keys() {
    return () -> mapped(Map.Entry::getKey);
  }

  @Override
  public Iterable<UV> values() {
    return () -> mapped(Map.Entry::getValue);
  }

  private <T> Iterator<T> mapped(Function<Map.Entry<UK, UV>, T> f) {
    Iterator<Map.Entry<UK, UV>> it = iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public T next() {
        return f.apply(it.next());
      }

      @Override
      public void remove() {
        it.remove();
      }
    };
  }

  @Override
  public Iterator<Map.Entry<UK, UV>> iterator() {
    return new EntryIterator(currentKey());
  }

  @Override
  public boolean isEmpty() {
    byte[] prefix = currentKey();
    return db().scan(prefix, StateKeys.prefixEnd(prefix), 1).isEmpty();
  }

  @Override
  public void clear() {
    deletePrefix(currentKey());
  }

  /** Entries as Flink's queryable-state client reads them: key, isNull, value, per entry. */
  @Override
  byte[] serializedValueOf(byte[] prefix, TypeSerializer<Map<UK, UV>> safeValueSerializer)
      throws IOException {
    MapSerializer<UK, UV> map = (MapSerializer<UK, UV>) safeValueSerializer;
    DataOutputSerializer out = new DataOutputSerializer(128);
    DataInputDeserializer in = new DataInputDeserializer();
    byte[] end = StateKeys.prefixEnd(prefix);
    byte[] from = prefix;
    boolean any = false;
    while (true) {
      List<KV> batch = db().scan(from, end, SCAN_BATCH);
      for (KV kv : batch) {
        any = true;
        in.setBuffer(kv.key(), prefix.length, kv.key().length - prefix.length);
        map.getKeySerializer().serialize(map.getKeySerializer().deserialize(in), out);
        in.setBuffer(kv.value());
        boolean isNull = in.readBoolean();
        out.writeBoolean(isNull);
        if (!isNull) {
          map.getValueSerializer().serialize(map.getValueSerializer().deserialize(in), out);
        }
      }
      if (batch.size() < SCAN_BATCH) {
        return any ? out.getCopyOfBuffer() : null;
      }
      from = successor(batch.get(batch.size() - 1).key());
    }
  }

  /** Iterates the entries of one (key, namespace) in batches; supports remove and setValue. */
  private final class EntryIterator implements Iterator<Map.Entry<UK, UV>> {
    private final int prefixLength;
    private final byte[] end;
    private byte[] from;
    private List<KV> batch;
    private int index;
    private boolean exhausted;
    private byte[] lastKey;

    EntryIterator(byte[] prefix) {
      this.prefixLength = prefix.length;
      this.end = StateKeys.prefixEnd(prefix);
      this.from = prefix;
    }

    @Override
    public boolean hasNext() {
      while (batch == null || index >= batch.size()) {
        if (exhausted) {
          return false;
        }
        batch = db().scan(from, end, SCAN_BATCH);
        index = 0;
        if (batch.size() < SCAN_BATCH) {
          exhausted = true;
        } else {
          from = successor(batch.get(batch.size() - 1).key());
        }
      }
      return true;
    }

    @Override
    public Map.Entry<UK, UV> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      KV kv = batch.get(index++);
      lastKey = kv.key();
      return new Entry(kv.key(), decodeUserKey(kv.key(), prefixLength), decodeValue(kv.value()));
    }

    @Override
    public void remove() {
      if (lastKey == null) {
        throw new IllegalStateException("remove() without next()");
      }
      db().delete(lastKey);
      lastKey = null;
    }
  }

  private final class Entry implements Map.Entry<UK, UV> {
    private final byte[] rawKey;
    private final UK key;
    private UV value;

    Entry(byte[] rawKey, UK key, UV value) {
      this.rawKey = rawKey;
      this.key = key;
      this.value = value;
    }

    @Override
    public UK getKey() {
      return key;
    }

    @Override
    public UV getValue() {
      return value;
    }

    @Override
    public UV setValue(UV v) {
      UV old = value;
      value = v;
      db().put(rawKey, encodeValue(v));
      return old;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Map.Entry<?, ?> e
          && java.util.Objects.equals(key, e.getKey())
          && java.util.Objects.equals(value, e.getValue());
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hashCode(key) ^ java.util.Objects.hashCode(value);
    }

    @Override
    public String toString() {
      return key + "=" + value;
    }
  }
}
