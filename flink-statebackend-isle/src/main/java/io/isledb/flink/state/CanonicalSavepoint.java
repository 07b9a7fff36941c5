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
 * in the canonical form.
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

  /** isle state id to (index in {@link #metaInfos}, is a list). */
  private final Map<Integer, int[]> states = new HashMap<>();

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
              boolean list =
                  e.meta instanceof RegisteredKeyValueStateBackendMetaInfo<?, ?> kv
                      && kv.getStateType() == StateDescriptor.Type.LIST;
              states.put(e.id, new int[] {metaInfos.size(), list ? 1 : 0});
              metaInfos.add(e.meta.snapshot());
            });
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
    private static final int LIST_SEQ_BYTES = 8;
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
      KV kv;
      int[] state;
      do {
        kv = pull();
        if (kv == null) {
          key = null;
          return;
        }
        state = states.get(StateKeys.stateIdOf(kv.key())); // unknown ids: nothing to write
      } while (state == null);
      int kg = StateKeys.keyGroupOf(kv.key());
      newKeyGroup = kg != keyGroup;
      newState = newKeyGroup || state[0] != kvStateId;
      keyGroup = kg;
      kvStateId = state[0];
      if (state[1] == 0) {
        key = canonicalKey(kg, kv.key(), 0);
        value = kv.value();
        return;
      }
      // A list: every element entry of this (key, namespace), in sequence order, joined.
      byte[] owner = Arrays.copyOf(kv.key(), kv.key().length - LIST_SEQ_BYTES);
      DataOutputSerializer out = new DataOutputSerializer(64);
      out.write(kv.value());
      while (true) {
        KV more = pull();
        if (more == null) {
          break;
        }
        if (more.key().length != owner.length + LIST_SEQ_BYTES
            || Arrays.compare(more.key(), 0, owner.length, owner, 0, owner.length) != 0) {
          peeked = more;
          break;
        }
        out.write(DELIMITER);
        out.write(more.value());
      }
      key = canonicalKey(kg, kv.key(), LIST_SEQ_BYTES);
      value = out.getCopyOfBuffer();
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
