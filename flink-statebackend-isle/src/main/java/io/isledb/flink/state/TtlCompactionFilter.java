package io.isledb.flink.state;

import io.isledb.CompactionFilter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.ttl.TtlStateFactory;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;
import org.apache.flink.runtime.state.ttl.TtlUtils;

/**
 * The compaction filter of one backend's database: drops state entries whose Flink TTL has expired,
 * so compaction removes them physically (Flink's RocksDB backend does the same with its {@code
 * FlinkCompactionFilter}).
 *
 * <p>A state takes part only when its descriptor enables TTL with cleanup in compaction ({@code
 * StateTtlConfig.getCleanupStrategies().inRocksdbCompactFilter()}: {@code
 * cleanupInRocksdbCompactFilter(..)}, or background cleanup, Flink's default) and its serializer is
 * Flink's TTL serializer. Every value such a state writes then starts with the {@code TtlValue}'s
 * last-access timestamp (8 bytes, big-endian, the first field of Flink's {@code TtlSerializer}):
 * the value itself for value, reducing and aggregating state, each element of a list state (a list
 * is dropped once all its elements expired), and after the 1-byte null flag each entry of a map
 * state (see "Key layout" in docs/flink-statebackend.md). An entry is dropped when {@link
 * TtlUtils#expired} says so for the time of the backend's {@link TtlTimeProvider}: the clock
 * Flink's TTL wrappers judge reads by, so compaction never drops an entry that a read would still
 * return. Everything else (other states, states not registered yet in this attempt, timers, the
 * metadata record, values stored as blobs, malformed values) is kept.
 */
final class TtlCompactionFilter implements CompactionFilter {
  /** Where the timestamp sits in a state's values. */
  private record Policy(long ttlMillis, int offset, boolean list) {}

  private final TtlTimeProvider time;
  private final Map<Integer, Policy> byStateId = new ConcurrentHashMap<>();

  TtlCompactionFilter(TtlTimeProvider time) {
    this.time = time;
  }

  /**
   * Takes a state's registration (or re-registration) into account: from now on its expired entries
   * are dropped when it uses TTL with compaction cleanup, and kept otherwise.
   */
  void register(int stateId, StateDescriptor<?, ?> desc, TypeSerializer<?> stateSerializer) {
    StateTtlConfig ttl = desc.getTtlConfig();
    if (!ttl.isEnabled()
        || !ttl.getCleanupStrategies().inRocksdbCompactFilter()
        || !TtlStateFactory.TtlSerializer.isTtlStateSerializer(stateSerializer)) {
      byStateId.remove(stateId);
      return;
    }
    int offset = desc.getType() == StateDescriptor.Type.MAP ? 1 : 0;
    boolean list = desc.getType() == StateDescriptor.Type.LIST;
    byStateId.put(stateId, new Policy(ttl.getTimeToLive().toMillis(), offset, list));
  }

  /** Whether state {@code stateId} is filtered (for tests and metrics). */
  boolean filters(int stateId) {
    return byStateId.containsKey(stateId);
  }

  @Override
  public Decision filter(byte[] key, byte[] value, long compactionTimeMillis) {
    if (key.length < StateKeys.PREFIX_BYTES
        || byStateId.isEmpty()
        || StateKeys.keyGroupOf(key) == 0xFFFF) { // the metadata record
      return Decision.KEEP;
    }
    Policy p = byStateId.get(StateKeys.stateIdOf(key));
    if (p == null || value.length < p.offset + Long.BYTES) {
      return Decision.KEEP;
    }
    if (p.offset == 1 && value[0] != 0) {
      return Decision.KEEP; // a null map value: no TtlValue to judge
    }
    if (p.list) {
      return allExpired(value, p.ttlMillis) ? Decision.DROP : Decision.KEEP;
    }
    long lastAccess = readLong(value, p.offset);
    return TtlUtils.expired(lastAccess, p.ttlMillis, time.currentTimestamp())
        ? Decision.DROP
        : Decision.KEEP;
  }

  /**
   * Whether every element of a list value (framed, {@link ListFraming}) has expired: a list is
   * dropped whole or kept whole (Flink's TTL list wrapper leaves out its expired elements on read).
   * A malformed value is kept.
   */
  private boolean allExpired(byte[] value, long ttlMillis) {
    long now = time.currentTimestamp();
    int at = 0;
    while (at < value.length) {
      if (value.length - at < ListFraming.HEADER) {
        return false;
      }
      int length =
          ((value[at] & 0xFF) << 24)
              | ((value[at + 1] & 0xFF) << 16)
              | ((value[at + 2] & 0xFF) << 8)
              | (value[at + 3] & 0xFF);
      int element = at + ListFraming.HEADER;
      if (length < Long.BYTES || length > value.length - element) {
        return false;
      }
      if (!TtlUtils.expired(readLong(value, element), ttlMillis, now)) {
        return false;
      }
      at = element + length;
    }
    return at > 0;
  }

  private static long readLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < Long.BYTES; i++) {
      v = (v << 8) | (b[off + i] & 0xFF);
    }
    return v;
  }
}
