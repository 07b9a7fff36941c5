package io.isledb.flink.state.snapshot;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SharedStateRegistry;
import org.apache.flink.runtime.state.StateHandleID;

/**
 * The checkpoint of one isle keyed backend: a pinned version of its database. Small and of constant
 * size however many tables the database has: store URI, database prefix, version, pin name, the
 * key-group range the database holds ({@link #getSourceKeyGroupRange()}) and the range this handle
 * stands for ({@link #getKeyGroupRange()}, narrower after {@link #getIntersection}).
 *
 * <p>{@link #discardState()} removes the pin (the JobManager calls it for subsumed and aborted
 * checkpoints); the engine's GC then frees what only that version referenced. The Hadoop settings
 * it keeps carry no secrets: the secret ones are taken from the settings of the backends opened in
 * this JVM ({@link #registerSecrets}), or else from the FileSystem's own credential chain.
 */
public final class IsleKeyedStateHandle implements KeyedStateHandle {
  private static final long serialVersionUID = 1L;

  /** Secret Hadoop settings per store URI, known to this JVM (never serialized). */
  private static final Map<String, Map<String, String>> SECRETS = new ConcurrentHashMap<>();

  private static final String[] SECRET_MARKERS = {
    "secret", "password", "access.key", "access-key", "account.key", "accountkey", "token",
  };

  private final StateHandleID stateHandleId;
  private final String storeUri;
  private final String prefix;
  private final long version;
  private final String pinName;
  private final KeyGroupRange sourceKeyGroupRange;
  private final KeyGroupRange keyGroupRange;
  private final Map<String, String> hadoopConf;
  private final long stateSize;
  private final long checkpointedSize;

  public IsleKeyedStateHandle(
      String storeUri,
      String prefix,
      long version,
      String pinName,
      KeyGroupRange keyGroupRange,
      Map<String, String> hadoopConf,
      long stateSize,
      long checkpointedSize) {
    this(
        StateHandleID.randomStateHandleId(),
        storeUri,
        prefix,
        version,
        pinName,
        keyGroupRange,
        keyGroupRange,
        withoutSecrets(hadoopConf),
        stateSize,
        checkpointedSize);
  }

  private IsleKeyedStateHandle(
      StateHandleID stateHandleId,
      String storeUri,
      String prefix,
      long version,
      String pinName,
      KeyGroupRange sourceKeyGroupRange,
      KeyGroupRange keyGroupRange,
      Map<String, String> hadoopConf,
      long stateSize,
      long checkpointedSize) {
    this.stateHandleId = stateHandleId;
    this.storeUri = storeUri;
    this.prefix = prefix;
    this.version = version;
    this.pinName = pinName;
    this.sourceKeyGroupRange = sourceKeyGroupRange;
    this.keyGroupRange = keyGroupRange;
    this.hadoopConf = hadoopConf;
    this.stateSize = stateSize;
    this.checkpointedSize = checkpointedSize;
  }

  /**
   * Remembers the secret settings of {@code storeUri} in this JVM, so that handles (which do not
   * carry secrets) can be discarded and restored here.
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
    String k = key.toLowerCase(java.util.Locale.ROOT);
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

  public String getPinName() {
    return pinName;
  }

  /** The key groups the database holds (the backend's range when it took the checkpoint). */
  public KeyGroupRange getSourceKeyGroupRange() {
    return sourceKeyGroupRange;
  }

  @Override
  public KeyGroupRange getKeyGroupRange() {
    return keyGroupRange;
  }

  @Override
  public KeyedStateHandle getIntersection(KeyGroupRange range) {
    KeyGroupRange intersection = keyGroupRange.getIntersection(range);
    if (intersection.getNumberOfKeyGroups() == 0) {
      return null;
    }
    return new IsleKeyedStateHandle(
        stateHandleId,
        storeUri,
        prefix,
        version,
        pinName,
        sourceKeyGroupRange,
        intersection,
        hadoopConf,
        stateSize,
        checkpointedSize);
  }

  @Override
  public StateHandleID getStateHandleId() {
    return stateHandleId;
  }

  @Override
  public void registerSharedStates(SharedStateRegistry registry, long checkpointId) {
    // The pinned version is owned by this handle alone: nothing is shared through Flink's registry.
  }

  @Override
  public long getCheckpointedSize() {
    return checkpointedSize;
  }

  @Override
  public long getStateSize() {
    return stateSize;
  }

  /** Removes the pin; the engine's GC frees what only the pinned version referenced. */
  @Override
  public void discardState() throws Exception {
    try (ObjectStore store = IsleDB.openStore(storeUri, prefix, hadoopConf());
        IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      db.unpin(pinName);
    }
  }

  @Override
  public String toString() {
    return "IsleKeyedStateHandle{"
        + storeUri
        + prefix
        + "@"
        + version
        + ", pin="
        + pinName
        + ", keyGroups="
        + keyGroupRange.prettyPrintInterval()
        + ", source="
        + sourceKeyGroupRange.prettyPrintInterval()
        + ", checkpointedSize="
        + checkpointedSize
        + "}";
  }
}
