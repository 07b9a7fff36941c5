package io.isledb.flink.state;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.internal.InternalListState;
import org.apache.flink.util.Preconditions;

/**
 * A list state stored as one entry per (key, namespace), {@code kg | id | key | namespace}, whose
 * value is the elements' frames ({@link ListFraming}): {@code add} and {@code addAll} are blind
 * engine appends (no read, one operand), {@code get} one point lookup, {@code update} one put (a
 * delete for an empty list), {@code mergeNamespaces} moves the sources' bytes onto the target
 * without deserializing them. As Flink's RocksDB list state, which keeps a list as one value and
 * appends with a merge operator.
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

  @Override
  public Iterable<V> get() {
    return getInternal();
  }

  @Override
  public List<V> getInternal() {
    byte[] value = db().get(currentKey());
    if (value == null || value.length == 0) {
      return null;
    }
    TypeSerializer<V> elements = elementSerializer();
    List<V> out = new ArrayList<>();
    String where = "list state " + stateId;
    for (int at = 0; at < value.length; ) {
      int length = ListFraming.lengthAt(value, at, where);
      valueIn.setBuffer(value, at + ListFraming.HEADER, length);
      try {
        out.add(elements.deserialize(valueIn));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("cannot deserialize an element of " + where, e);
      }
      at += ListFraming.HEADER + length;
    }
    return out;
  }

  @Override
  public void add(V value) {
    Preconditions.checkNotNull(value, "You cannot add null to a ListState.");
    db().append(currentKey(), frame(value, elementSerializer()));
  }

  /** {@code value}'s frame, serialized straight behind the 4-byte length. */
  private byte[] frame(V value, TypeSerializer<V> elements) {
    try {
      valueOut.clear();
      valueOut.writeInt(0);
      elements.serialize(value, valueOut);
      int length = valueOut.length() - ListFraming.HEADER;
      byte[] out = valueOut.getCopyOfBuffer();
      out[0] = (byte) (length >>> 24);
      out[1] = (byte) (length >>> 16);
      out[2] = (byte) (length >>> 8);
      out[3] = (byte) length;
      return out;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(
          "cannot serialize an element of list state " + stateId, e);
    }
  }

  private byte[] frames(List<V> values) {
    TypeSerializer<V> elements = elementSerializer();
    List<byte[]> serialized = new ArrayList<>(values.size());
    for (V v : values) {
      serialized.add(serialize(v, elements));
    }
    return ListFraming.frameAll(serialized);
  }

  @Override
  public void addAll(List<V> values) {
    Preconditions.checkNotNull(values, "List of values to add cannot be null.");
    checkNoNulls(values);
    if (!values.isEmpty()) {
      db().append(currentKey(), frames(values));
    }
  }

  @Override
  public void update(List<V> values) {
    Preconditions.checkNotNull(values, "List of values to add cannot be null.");
    checkNoNulls(values);
    if (values.isEmpty()) {
      db().delete(currentKey());
    } else {
      db().put(currentKey(), frames(values));
    }
  }

  @Override
  public void updateInternal(List<V> values) {
    update(values);
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
    // Frames concatenate: the sources' values are appended to the target's as they are.
    java.io.ByteArrayOutputStream moved = new java.io.ByteArrayOutputStream();
    for (N source : sources) {
      byte[] key = keyFor(source);
      byte[] value = db().get(key);
      if (value != null) {
        moved.writeBytes(value);
        db().delete(key);
      }
    }
    if (moved.size() > 0) {
      db().append(keyFor(target), moved.toByteArray());
    }
  }

  @Override
  public void clear() {
    db().delete(currentKey());
  }

  /** Elements separated by one byte, the format Flink's queryable-state client reads. */
  @Override
  byte[] serializedValueOf(byte[] key, TypeSerializer<List<V>> safeValueSerializer)
      throws IOException {
    byte[] value = db().get(key);
    if (value == null || value.length == 0) {
      return null;
    }
    TypeSerializer<V> elements = ((ListSerializer<V>) safeValueSerializer).getElementSerializer();
    DataOutputSerializer out = new DataOutputSerializer(128);
    org.apache.flink.core.memory.DataInputDeserializer in =
        new org.apache.flink.core.memory.DataInputDeserializer();
    boolean first = true;
    for (byte[] element : ListFraming.split(value, "list state " + stateId)) {
      if (!first) {
        out.writeByte(',');
      }
      first = false;
      in.setBuffer(element);
      elements.serialize(elements.deserialize(in), out);
    }
    return out.getCopyOfBuffer();
  }
}
