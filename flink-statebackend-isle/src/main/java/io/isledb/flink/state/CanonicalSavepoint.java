package io.isledb.flink.state;

import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.PinOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.CompositeKeySerializationUtils;
import org.apache.flink.runtime.state.FullSnapshotResources;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyValueStateIterator;
import org.apache.flink.runtime.state.RegisteredKeyValueStateBackendMetaInfo;
import org.apache.flink.runtime.state.StateSnapshotTransformer;
import org.apache.flink.runtime.state.StreamCompressionDecorator;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;

/**
 * A canonical savepoint of one backend: Flink's {@code FullSnapshotAsyncWriter} writes it in the
 * portable key-groups format (the one RocksDB and hashmap savepoints use), from an iteration of the
 * version cut in the synchronous phase. That version is pinned under a temporary name while it is
 * read and unpinned in {@link #release()}.
 *
 * <p>The database's layout already orders entries as the format wants (key group, then state); the
 * iteration only rewrites each key's 4-byte isle prefix into Flink's key-group prefix (1 or 2
 * bytes), and joins a list's elements into one value with Flink's list delimiter (the RocksDB list
 * format). Map values ({@code isNull | value}) and timers (key = element, empty value) are already
 * in the canonical form. States whose TTL asks for cleanup in full snapshots ({@code
 * cleanupFullSnapshot()}) have their expired entries left out, as RocksDB's full snapshots do.
 */
final class CanonicalSavepoint<K> implements FullSnapshotResources<K> {
  private final StateDb db;
  private final CompletableFuture<Long> cut;
  private final String pinName;
  private final String pinOwner;
  private final TypeSerializer<K> keySerializer;
  private final KeyGroupRange range;
  private final int prefixBytes;
  private final StreamCompressionDecorator compression;
  private final List<StateMetaInfoSnapshot> metaInfos = new ArrayList<>();

  /** isle state id to how its entries are written. */
  private final Map<Integer, StateOut> states = new HashMap<>();

  /**
   * How one state's entries are written: its index in {@link #metaInfos}, whether it is a list
   * (element entries joined), where a TTL timestamp sits in a value (1 for a map entry, after the
   * null flag), and the full-snapshot TTL cleanup filter of its serialized values, if any.
   */
  private record StateOut(
      int index, boolean list, int valueOffset, StateSnapshotTransformer<byte[]> filter) {

    /** The entry's value as written, or null when the filter drops it (expired TTL state). */
    byte[] keep(byte[] value) {
      if (filter == null) {
        return value;
      }
      if (valueOffset == 0) {
        return filter.filterOrTransform(value);
      }
      if (value.length <= valueOffset || value[0] != 0) {
        return value; // a null map value: no TtlValue to judge
      }
      byte[] kept = filter.filterOrTransform(Arrays.copyOfRange(value, valueOffset, value.length));
      if (kept == null) {
        return null;
      }
      byte[] out = Arrays.copyOf(value, valueOffset + kept.length);
      System.arraycopy(kept, 0, out, valueOffset, kept.length);
      return out;
    }
  }

  private boolean pinned;
  private StateDb.VersionView view;

  CanonicalSavepoint(
      StateDb db,
      CompletableFuture<Long> cut,
      String pinName,
      String pinOwner,
      StateRegistry registry,
      TypeSerializer<K> keySerializer,
      KeyGroupRange range,
      int numberOfKeyGroups,
      StreamCompressionDecorator compression) {
    this.db = db;
    this.cut = cut;
    this.pinName = pinName;
    this.pinOwner = pinOwner;
    this.keySerializer = keySerializer.duplicate();
    this.range = range;
    this.prefixBytes =
        CompositeKeySerializationUtils.computeRequiredBytesInKeyGroupPrefix(numberOfKeyGroups);
    this.compression = compression;
    // Meta infos in state-id order, so that kvStateIds rise with the database's key order.
    registry.all().values().stream()
        .sorted((a, b) -> Integer.compare(a.id, b.id))
        .forEach(
            e -> {
              StateDescriptor.Type type =
                  e.meta instanceof RegisteredKeyValueStateBackendMetaInfo<?, ?> kv
                      ? kv.getStateType()
                      : null;
              states.put(
                  e.id,
                  new StateOut(
                      metaInfos.size(),
                      type == StateDescriptor.Type.LIST,
                      type == StateDescriptor.Type.MAP ? 1 : 0,
                      snapshotFilter(e.meta)));
              metaInfos.add(e.meta.snapshot());
            });
  }

  /**
   * The filter of a state's serialized values in full snapshots: Flink's TTL wrappers hand the
   * backend one ({@code TtlStateSnapshotTransformer}) when the state's TTL has {@code
   * cleanupFullSnapshot()}; it judges one serialized {@code TtlValue} (a value, one list element,
   * one map value), which is exactly one isle entry. Null for every other state.
   */
  private static StateSnapshotTransformer<byte[]> snapshotFilter(
      org.apache.flink.runtime.state.RegisteredStateMetaInfoBase meta) {
    if (!(meta instanceof RegisteredKeyValueStateBackendMetaInfo<?, ?> kv)) {
      return null;
    }
    return kv.getStateSnapshotTransformFactory().createForSerializedState().orElse(null);
  }

  @Override
  public List<StateMetaInfoSnapshot> getMetaInfoSnapshots() {
    return metaInfos;
  }

  @Override
  public KeyValueStateIterator createKVStateIterator() throws IOException {
    long version;
    try {
      version = cut.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the savepoint's cut", e);
    } catch (ExecutionException e) {
      throw new IOException("the savepoint's cut failed", e.getCause());
    }
    synchronized (this) {
      // Removed by release(); the ttl bounds it if the task manager dies during the iteration.
      db.pin(
          pinName,
          version,
          PinOptions.defaults().withOwner(pinOwner).withTtl(java.time.Duration.ofDays(1)));
      pinned = true;
      view = db.openVersion(version);
    }
    KvIterator it =
        view.view()
            .scan(
                StateKeys.keyGroupStart(range.getStartKeyGroup()),
                StateKeys.keyGroupStart(range.getEndKeyGroup() + 1));
    return new Iterator(it);
  }

  @Override
  public KeyGroupRange getKeyGroupRange() {
    return range;
  }

  @Override
  public TypeSerializer<K> getKeySerializer() {
    return keySerializer;
  }

  @Override
  public StreamCompressionDecorator getStreamCompressionDecorator() {
    return compression;
  }

  @Override
  public synchronized void release() {
    try {
      if (view != null) {
        view.close();
        view = null;
      }
    } finally {
      if (pinned) {
        pinned = false;
        db.unpin(pinName);
      }
    }
  }

  /** Flink's key of an isle entry: key-group prefix, then the entry's key after the isle prefix. */
  private byte[] canonicalKey(int keyGroup, byte[] isleKey, int suffixBytes) {
    int body = isleKey.length - StateKeys.PREFIX_BYTES - suffixBytes;
    byte[] out = new byte[prefixBytes + body];
    // Big-endian in prefixBytes bytes, as CompositeKeySerializationUtils.writeKeyGroup writes it.
    for (int i = 0; i < prefixBytes; i++) {
      out[i] = (byte) (keyGroup >>> ((prefixBytes - i - 1) * Byte.SIZE));
    }
    System.arraycopy(isleKey, StateKeys.PREFIX_BYTES, out, prefixBytes, body);
    return out;
  }

  private final class Iterator implements KeyValueStateIterator {
    private static final byte DELIMITER = ',';

    private final KvIterator source;
    private KV peeked;
    private byte[] key;
    private byte[] value;
    private int keyGroup = -1;
    private int kvStateId = -1;
    private boolean newKeyGroup;
    private boolean newState;

    Iterator(KvIterator source) throws IOException {
      this.source = source;
      next();
    }

    private KV pull() {
      if (peeked != null) {
        KV kv = peeked;
        peeked = null;
        return kv;
      }
      return source.hasNext() ? source.next() : null;
    }

    @Override
    public void next() throws IOException {
      while (true) {
        KV kv = pull();
        if (kv == null) {
          key = null;
          return;
        }
        StateOut state = states.get(StateKeys.stateIdOf(kv.key()));
        if (state == null) {
          continue; // unknown ids: nothing to write
        }
        byte[] kept = state.list ? joinElements(kv, state) : state.keep(kv.value());
        if (kept == null) {
          continue; // expired: full-snapshot TTL cleanup leaves it out
        }
        int kg = StateKeys.keyGroupOf(kv.key());
        newKeyGroup = kg != keyGroup;
        newState = newKeyGroup || state.index != kvStateId;
        keyGroup = kg;
        kvStateId = state.index;
        key = canonicalKey(kg, kv.key(), 0);
        value = kept;
        return;
      }
    }

    /**
     * A list (one entry of framed elements, {@link ListFraming}): its elements that the filter
     * keeps, joined with Flink's delimiter as the RocksDB list state stores them; null when the
     * filter drops every element.
     */
    private byte[] joinElements(KV kv, StateOut state) throws IOException {
      DataOutputSerializer out = new DataOutputSerializer(64);
      boolean any = false;
      for (byte[] element : ListFraming.split(kv.value(), "a list entry of the savepoint")) {
        byte[] kept = state.keep(element);
        if (kept != null) {
          if (any) {
            out.write(DELIMITER);
          }
          out.write(kept);
          any = true;
        }
      }
      return any ? out.getCopyOfBuffer() : null;
    }

    @Override
    public int keyGroup() {
      return keyGroup;
    }

    @Override
    public byte[] key() {
      return key;
    }

    @Override
    public byte[] value() {
      return value;
    }

    @Override
    public int kvStateId() {
      return kvStateId;
    }

    @Override
    public boolean isNewKeyValueState() {
      return newState;
    }

    @Override
    public boolean isNewKeyGroup() {
      return newKeyGroup;
    }

    @Override
    public boolean isValid() {
      return key != null;
    }

    @Override
    public void close() {
      source.close();
    }
  }
}
