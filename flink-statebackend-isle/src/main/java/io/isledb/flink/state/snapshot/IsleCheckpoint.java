package io.isledb.flink.state.snapshot;

import io.isledb.PinOptions;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle.HandleAndLocalPath;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;

/**
 * The checkpoint of one isle keyed backend: a pinned version of its database (store URI, database
 * prefix, version, pin name, and the key-group range the database holds), small and of constant
 * size however many tables the database has.
 *
 * <p>Flink writes only its own handle types into a checkpoint's {@code _metadata}, so the
 * checkpoint travels as an {@link IncrementalRemoteKeyedStateHandle}: its meta state handle is an
 * inline {@link ByteStreamStateHandle} holding this descriptor, and its one private state handle is
 * a {@link FileStateHandle} on the pin object ({@code <db>/manifest/pins/<name>.json},
 * docs/FORMAT.md). When the JobManager discards the checkpoint (subsumed or aborted), deleting that
 * file is exactly the engine's unpin; GC then frees what only that version referenced. Nothing goes
 * to Flink's shared state registry.
 *
 * <p>The Hadoop settings it keeps carry no secrets: the secret ones come from the settings of the
 * backends configured in this JVM ({@link #registerSecrets}), or else from the FileSystem's own
 * credential chain.
 */
public final class IsleCheckpoint {
  private static final String MAGIC = "isle-checkpoint-v1";

  /** Secret Hadoop settings per store URI known to this JVM (never serialized). */
  private static final Map<String, Map<String, String>> SECRETS = new ConcurrentHashMap<>();

  private static final String[] SECRET_MARKERS = {
    "secret", "password", "access.key", "access-key", "account.key", "accountkey", "token",
  };

  private final String storeUri;
  private final String prefix;
  private final long version;
  private final String pinName;
  private final KeyGroupRange sourceKeyGroupRange;
  private final Map<String, String> hadoopConf;
  private final String ownerJob; // null: written before owners were recorded

  public IsleCheckpoint(
      String storeUri,
      String prefix,
      long version,
      String pinName,
      KeyGroupRange sourceKeyGroupRange,
      Map<String, String> hadoopConf) {
    this(storeUri, prefix, version, pinName, sourceKeyGroupRange, hadoopConf, null);
  }

  /**
   * A checkpoint written by job {@code ownerJob}: only an attempt of that job reopens its database
   * in place; any other job restores a copy (see the keyed backend builder).
   */
  public IsleCheckpoint(
      String storeUri,
      String prefix,
      long version,
      String pinName,
      KeyGroupRange sourceKeyGroupRange,
      Map<String, String> hadoopConf,
      String ownerJob) {
    this.ownerJob = ownerJob;
    this.storeUri = storeUri;
    this.prefix = prefix;
    this.version = version;
    this.pinName = pinName;
    this.sourceKeyGroupRange = sourceKeyGroupRange;
    this.hadoopConf = withoutSecrets(hadoopConf);
  }

  /** The Flink handle of this checkpoint, its private file the pin object itself. */
  public KeyedStateHandle toHandle(UUID backendId, long checkpointId, long checkpointedSize) {
    return toHandle(backendId, checkpointId, checkpointedSize, false);
  }

  /**
   * The Flink handle of this checkpoint, as the backend reports it. Its private file, which the
   * JobManager deletes when it discards the checkpoint, is the pin's hold object when {@code held}
   * (the pin was written with {@code PinOptions.withHoldObject}: a manifest store the JobManager
   * cannot reach; GC then removes the pin), else the pin object (deleting it is the unpin).
   */
  public KeyedStateHandle toHandle(
      UUID backendId, long checkpointId, long checkpointedSize, boolean held) {
    StreamStateHandle pin = new FileStateHandle(new Path(held ? holdObject() : pinObject()), 1);
    return new IncrementalRemoteKeyedStateHandle(
        backendId,
        sourceKeyGroupRange,
        checkpointId,
        List.of(),
        List.of(HandleAndLocalPath.of(pin, "pin")),
        new ByteStreamStateHandle(MAGIC + "-" + backendId + "-" + checkpointId, encode()),
        checkpointedSize);
  }

  /** The isle checkpoint {@code handle} stands for, or empty for another backend's handle. */
  public static Optional<IsleCheckpoint> of(KeyedStateHandle handle) throws IOException {
    if (!(handle instanceof IncrementalRemoteKeyedStateHandle incremental)
        || !(incremental.getMetaDataStateHandle() instanceof ByteStreamStateHandle meta)
        || !meta.getHandleName().startsWith(MAGIC)) {
      return Optional.empty();
    }
    return Optional.of(decode(meta.getData()));
  }

  /**
   * The location of the pin's hold object ({@code <db>/pin-holds/<pin>}, docs/FORMAT.md): deleting
   * it releases a held pin at the database's next GC pass.
   */
  public String holdObject() {
    return storeUri + prefix + "/" + PinOptions.holdObjectName(pinName);
  }

  /** The pin object's location: deleting it is the engine's unpin. */
  public String pinObject() {
    return storeUri + prefix + "/manifest/pins/" + pinName + ".json";
  }

  private byte[] encode() {
    try {
      DataOutputSerializer out = new DataOutputSerializer(256);
      out.writeUTF(MAGIC);
      out.writeUTF(storeUri);
      out.writeUTF(prefix);
      out.writeLong(version);
      out.writeUTF(pinName);
      out.writeInt(sourceKeyGroupRange.getStartKeyGroup());
      out.writeInt(sourceKeyGroupRange.getEndKeyGroup());
      out.writeInt(hadoopConf.size());
      for (Map.Entry<String, String> e : hadoopConf.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeUTF(e.getValue());
      }
      // Trailing and optional, so descriptors written before it still decode.
      if (ownerJob != null) {
        out.writeUTF(ownerJob);
      }
      return out.getCopyOfBuffer();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot encode " + this, e);
    }
  }

  private static IsleCheckpoint decode(byte[] bytes) throws IOException {
    DataInputDeserializer in = new DataInputDeserializer(bytes);
    String magic = in.readUTF();
    if (!MAGIC.equals(magic)) {
      throw new IOException("not an isle checkpoint descriptor: " + magic);
    }
    String storeUri = in.readUTF();
    String prefix = in.readUTF();
    long version = in.readLong();
    String pinName = in.readUTF();
    KeyGroupRange range = KeyGroupRange.of(in.readInt(), in.readInt());
    int n = in.readInt();
    Map<String, String> conf = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      conf.put(in.readUTF(), in.readUTF());
    }
    String owner = in.available() > 0 ? in.readUTF() : null;
    return new IsleCheckpoint(storeUri, prefix, version, pinName, range, conf, owner);
  }

  /**
   * Remembers the secret settings of {@code storeUri} in this JVM, so that checkpoints (which do
   * not carry secrets) can be restored here.
   */
  public static void registerSecrets(String storeUri, Map<String, String> hadoopConf) {
    Map<String, String> secrets = new TreeMap<>();
    hadoopConf.forEach(
        (k, v) -> {
          if (isSecret(k)) {
            secrets.put(k, v);
          }
        });
    if (!secrets.isEmpty()) {
      SECRETS.put(storeUri, Collections.unmodifiableMap(secrets));
    }
  }

  static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    for (String m : SECRET_MARKERS) {
      if (k.contains(m)) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, String> withoutSecrets(Map<String, String> conf) {
    Map<String, String> out = new TreeMap<>();
    conf.forEach(
        (k, v) -> {
          if (!isSecret(k)) {
            out.put(k, v);
          }
        });
    return Collections.unmodifiableMap(out);
  }

  /** The Hadoop settings to open the store with: the kept ones plus the secrets known here. */
  public Map<String, String> hadoopConf() {
    Map<String, String> conf = new TreeMap<>(hadoopConf);
    conf.putAll(SECRETS.getOrDefault(storeUri, Map.of()));
    return conf;
  }

  public String getStoreUri() {
    return storeUri;
  }

  public String getPrefix() {
    return prefix;
  }

  public long getVersion() {
    return version;
  }

  /** The job that wrote this checkpoint (null for descriptors written before it was recorded). */
  public String getOwnerJob() {
    return ownerJob;
  }

  public String getPinName() {
    return pinName;
  }

  /** The key groups the database holds (the backend's range when it took the checkpoint). */
  public KeyGroupRange getSourceKeyGroupRange() {
    return sourceKeyGroupRange;
  }

  @Override
  public String toString() {
    return "IsleCheckpoint{"
        + storeUri
        + prefix
        + "@"
        + version
        + ", pin="
        + pinName
        + ", keyGroups="
        + sourceKeyGroupRange.prettyPrintInterval()
        + "}";
  }
}
