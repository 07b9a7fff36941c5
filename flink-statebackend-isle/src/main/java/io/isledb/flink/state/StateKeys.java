package io.isledb.flink.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.CompositeKeySerializationUtils;

/**
 * The key layout: {@code keyGroup (2 bytes, big-endian) | stateId (2 bytes) | key | namespace |
 * userKey}. Key and namespace are written as Flink's {@code SerializedCompositeKeyBuilder} writes
 * them: each serializer's own bytes, followed by a variable-length byte count of the key and of the
 * namespace when both serializers are variable-sized (the composite could be ambiguous otherwise).
 *
 * <p>Key-group first: the state of one subtask is one key range and a key group is a contiguous
 * range, so rescaling copies (and later forks) ranges. The prefix {@code kg | id | key | ns} of a
 * map or list never matches a longer (key, namespace) pair, because Flink's serializers are
 * self-delimiting (they read from a stream without look-ahead, so no value's bytes are a proper
 * prefix of another's) and the appended lengths disambiguate the rest.
 *
 * <p>Key group {@code 0xFFFF} is never a real one (at most 32768 key groups): the backend's
 * metadata lives there.
 */
final class StateKeys {
  /** Bytes of the key-group prefix. */
  static final int KEY_GROUP_BYTES = 2;

  /** Bytes of key group and state id. */
  static final int PREFIX_BYTES = 4;

  /** The largest state id (two bytes, unsigned). */
  static final int MAX_STATE_ID = 0xFFFE;

  /** The metadata record (outside every key group). */
  static final byte[] META_KEY = {(byte) 0xFF, (byte) 0xFF, 'm', 'e', 't', 'a'};

  private StateKeys() {}

  /** {@code kg | id}: the first key of a state in one key group. */
  static byte[] statePrefix(int keyGroup, int stateId) {
    return new byte[] {
      (byte) (keyGroup >>> 8), (byte) keyGroup, (byte) (stateId >>> 8), (byte) stateId
    };
  }

  /** The first key after every key starting with {@code prefix} (null: none, unbounded). */
  static byte[] prefixEnd(byte[] prefix) {
    byte[] end = prefix.clone();
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xFF) {
        end[i]++;
        return java.util.Arrays.copyOf(end, i + 1);
      }
    }
    return null;
  }

  /** The first key of key group {@code keyGroup}. */
  static byte[] keyGroupStart(int keyGroup) {
    return new byte[] {(byte) (keyGroup >>> 8), (byte) keyGroup};
  }

  static int keyGroupOf(byte[] key) {
    return ((key[0] & 0xFF) << 8) | (key[1] & 0xFF);
  }

  static int stateIdOf(byte[] key) {
    return ((key[2] & 0xFF) << 8) | (key[3] & 0xFF);
  }

  /** {@code key} with its state id replaced (for rescaling copies between databases). */
  static byte[] withStateId(byte[] key, int stateId) {
    byte[] out = key.clone();
    out[2] = (byte) (stateId >>> 8);
    out[3] = (byte) stateId;
    return out;
  }

  /**
   * Builds {@code kg | id | key | ns} into a reusable buffer. One per state; not thread-safe (the
   * task thread only).
   */
  static final class Builder<K, N> {
    private final int stateId;
    private final TypeSerializer<K> keySerializer;
    private final TypeSerializer<N> namespaceSerializer;
    private final boolean ambiguous;
    private final DataOutputSerializer out = new DataOutputSerializer(64);

    Builder(int stateId, TypeSerializer<K> keySerializer, TypeSerializer<N> namespaceSerializer) {
      this.stateId = stateId;
      this.keySerializer = keySerializer;
      this.namespaceSerializer = namespaceSerializer;
      this.ambiguous =
          CompositeKeySerializationUtils.isAmbiguousKeyPossible(keySerializer, namespaceSerializer);
    }

    boolean ambiguous() {
      return ambiguous;
    }

    /** {@code kg | id | key | ns}. */
    byte[] build(int keyGroup, K key, N namespace) {
      return build(keyGroup, key, namespace, null, null);
    }

    /**
     * {@code kg | id | key | ns | userKey} (no user key when {@code userKeySerializer} is null).
     */
    <UK> byte[] build(
        int keyGroup, K key, N namespace, UK userKey, TypeSerializer<UK> userKeySerializer) {
      try {
        out.clear();
        out.writeShort(keyGroup);
        out.writeShort(stateId);
        CompositeKeySerializationUtils.writeKey(key, keySerializer, out, ambiguous);
        CompositeKeySerializationUtils.writeNameSpace(
            namespace, namespaceSerializer, out, ambiguous);
        if (userKeySerializer != null) {
          userKeySerializer.serialize(userKey, out);
        }
        return out.getCopyOfBuffer();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot serialize the key of state " + stateId, e);
      }
    }

    /** The namespace part alone, as it appears after the key (for namespace filters). */
    byte[] namespaceBytes(N namespace) {
      try {
        DataOutputSerializer ns = new DataOutputSerializer(16);
        CompositeKeySerializationUtils.writeNameSpace(
            namespace, namespaceSerializer, ns, ambiguous);
        return ns.getCopyOfBuffer();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot serialize a namespace of state " + stateId, e);
      }
    }
  }
}
