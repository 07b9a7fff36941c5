package io.isledb.flink.state;

import io.isledb.IsleResources;
import io.isledb.IsleResourcesOptions;
import io.isledb.WriterOptions;
import io.isledb.flink.state.IsleStateBackendOptions.TimerServiceType;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.execution.Environment;
import org.apache.flink.runtime.state.BackendBuildingException;
import org.apache.flink.runtime.state.InternalKeyContextImpl;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupsSavepointStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.StateBackend.KeyedStateBackendParameters;
import org.apache.flink.runtime.state.StreamCompressionDecorator;
import org.apache.flink.runtime.state.metrics.LatencyTrackingStateConfig;
import org.apache.flink.runtime.state.metrics.SizeTrackingStateConfig;

/**
 * Builds an {@link IsleKeyedStateBackend}: takes a reference to the JVM's shared resources, then
 * opens the backend's database.
 *
 * <ul>
 *   <li>No state handles: a new database at {@code <dir>/<job>/<operator>/<backend id>}.
 *   <li>One isle handle for exactly this key-group range (same parallelism): its database is
 *       reopened restored to the handle's pin ({@code openWriterRestoredTo}; the new writer fences
 *       any zombie attempt, and writes published after the checkpoint vanish). Nothing is
 *       downloaded.
 *   <li>Anything else (rescaling, another job's checkpoint): a new database, a zero-copy fork of
 *       the owned key groups of each handle's pinned version ({@link RescaleFork}).
 * </ul>
 */
final class IsleKeyedStateBackendBuilder<K> {
  private final KeyedStateBackendParameters<K> parameters;
  private final StateLocation location;
  private final IsleResourcesOptions resourcesOptions;
  private final WriterOptions writerOptions;
  private final TimerServiceType timerService;
  private final LatencyTrackingStateConfig latencyTracking;
  private final SizeTrackingStateConfig sizeTracking;
  private final StreamCompressionDecorator compression;
  private final Maintenance maintenance;
  private final SlotMemory slotMemory;
  private final int timerCacheSize;
  private SlotMemory.BackendResources owned; // taken by build(), released by the database's close

  IsleKeyedStateBackendBuilder(
      KeyedStateBackendParameters<K> parameters,
      StateLocation location,
      IsleResourcesOptions resourcesOptions,
      WriterOptions writerOptions,
      TimerServiceType timerService,
      LatencyTrackingStateConfig latencyTracking,
      SizeTrackingStateConfig sizeTracking,
      StreamCompressionDecorator compression,
      Maintenance maintenance,
      SlotMemory slotMemory,
      int timerCacheSize) {
    this.parameters = parameters;
    this.location = location;
    this.resourcesOptions = resourcesOptions;
    this.writerOptions = writerOptions;
    this.timerService = timerService;
    this.latencyTracking = latencyTracking;
    this.sizeTracking = sizeTracking;
    this.compression = compression;
    this.maintenance = maintenance;
    this.slotMemory = slotMemory;
    this.timerCacheSize = timerCacheSize;
  }

  IsleKeyedStateBackend<K> build() throws BackendBuildingException {
    Environment env = parameters.getEnv();
    ClassLoader userClassLoader = env.getUserCodeClassLoader().asClassLoader();
    KeyGroupRange range = parameters.getKeyGroupRange();
    UUID backendId = UUID.randomUUID();
    String backendUid = backendUid(backendId);
    try {
      owned =
          slotMemory.acquire(
              resourcesOptions, env.getMemoryManager(), parameters.getManagedMemoryFraction());
    } catch (Exception e) {
      throw new BackendBuildingException(
          "cannot take the slot's memory for the isle keyed state backend of "
              + parameters.getOperatorIdentifier(),
          e);
    }
    IsleResources resources = owned.forDatabases();
    StateDb db = null;
    SourceRetirement retirement = SourceRetirement.NONE;
    try {
      IsleCheckpoint.registerSecrets(location.storeUri(), location.hadoopConf());
      StateRegistry registry = new StateRegistry();
      TypeSerializer<K> keySerializer = parameters.getKeySerializer();
      Collection<KeyedStateHandle> given = nonNull(parameters.getStateHandles());
      String jobId = parameters.getJobID().toString();
      if (!given.isEmpty()
          && given.stream().allMatch(h -> h instanceof KeyGroupsSavepointStateHandle)) {
        // A canonical savepoint (of any backend): a new database filled from Flink's format.
        db = openNew(resources, parameters, backendUid);
        keySerializer =
            CanonicalRestore.restore(
                given,
                range,
                parameters.getNumberOfKeyGroups(),
                db,
                registry,
                keySerializer,
                userClassLoader);
        return newBackend(
            parameters, env, userClassLoader, keySerializer, range, db, registry, backendId);
      }
      List<IsleCheckpoint> handles = isleCheckpoints(given);
      if (handles.size() == 1
          && handles.get(0).getSourceKeyGroupRange().equals(range)
          && ownedBy(handles.get(0), jobId)) {
        IsleCheckpoint h = handles.get(0);
        db =
            StateDb.open(
                resources,
                h.getStoreUri(),
                h.getPrefix(),
                h.hadoopConf(),
                writerOptions,
                h.getPinName(),
                maintenance,
                new TtlCompactionFilter(parameters.getTtlTimeProvider()));
        byte[] meta = db.get(StateKeys.META_KEY);
        if (meta == null) {
          throw new IllegalStateException(
              "the checkpoint " + h + " has no isle state backend metadata");
        }
        StateRegistry.Decoded decoded = StateRegistry.decode(meta, userClassLoader);
        keySerializer =
            StateRegistry.checkKeySerializer(keySerializer, decoded.keySerializerSnapshot());
        registry.adopt(decoded);
        retirement = SourceRetirement.reopened(db, maintenance, range);
      } else {
        // A change of parallelism, or another job's checkpoint (NO_CLAIM, CLAIM, or a second job
        // from the same retained checkpoint): this backend's own database, a fork of the
        // checkpoints' versions clipped to the owned key groups, so the source databases are
        // never reopened or fenced, and nothing is copied.
        if (handles.isEmpty()) {
          db = openNew(resources, parameters, backendUid);
        } else {
          RescaleFork.Restored<K> restored =
              RescaleFork.restore(
                  handles,
                  range,
                  new RescaleFork.Target(
                      resources,
                      location,
                      location.prefixOf(
                          AbandonedForks.childOf(childOf(parameters, backendUid), range)),
                      writerOptions,
                      maintenance,
                      new TtlCompactionFilter(parameters.getTtlTimeProvider())),
                  registry,
                  keySerializer,
                  userClassLoader);
          db = restored.db();
          keySerializer = restored.keySerializer();
          retirement =
              SourceRetirement.forked(db, handles, range, maintenance, restored.retireRecords());
        }
      }
      IsleKeyedStateBackend<K> backend =
          newBackend(
              parameters, env, userClassLoader, keySerializer, range, db, registry, backendId);
      backend.useRetirement(retirement);
      return backend;
    } catch (Throwable t) {
      retirement.close();
      if (db != null) {
        db.close();
      }
      owned.close();
      throw new BackendBuildingException(
          "cannot build the isle keyed state backend of "
              + parameters.getOperatorIdentifier()
              + " ("
              + range.prettyPrintInterval()
              + ") at "
              + location,
          t);
    }
  }

  private IsleKeyedStateBackend<K> newBackend(
      KeyedStateBackendParameters<K> parameters,
      Environment env,
      ClassLoader userClassLoader,
      TypeSerializer<K> keySerializer,
      KeyGroupRange range,
      StateDb db,
      StateRegistry registry,
      UUID backendId) {
    db.releaseOnClose(owned);
    IsleKeyedStateBackend<K> backend =
        new IsleKeyedStateBackend<>(
            parameters.getKvStateRegistry(),
            keySerializer,
            userClassLoader,
            env.getExecutionConfig(),
            parameters.getTtlTimeProvider(),
            latencyTracking,
            sizeTracking,
            parameters.getCancelStreamRegistry(),
            compression,
            new InternalKeyContextImpl<>(range, parameters.getNumberOfKeyGroups()),
            db,
            registry,
            backendId,
            parameters.getJobID().toString(),
            pinOwner(parameters.getJobID().toString(), backendUid(backendId)),
            timerService,
            timerCacheSize,
            maintenance);
    IsleMetrics.register(parameters.getMetricGroup(), db, backend::lastCheckpointBytes);
    return backend;
  }

  private static String backendUid(UUID backendId) {
    return backendId.toString().replace("-", "").substring(0, 16);
  }

  /**
   * Whether an attempt of job {@code jobId} may reopen the checkpoint's database in place: only the
   * job that wrote it (a failover). Descriptors without an owner predate the rule and are reopened
   * as before.
   */
  static boolean ownedBy(IsleCheckpoint checkpoint, String jobId) {
    return checkpoint.getOwnerJob() == null || checkpoint.getOwnerJob().equals(jobId);
  }

  private static Collection<KeyedStateHandle> nonNull(Collection<KeyedStateHandle> handles) {
    List<KeyedStateHandle> out = new ArrayList<>();
    if (handles != null) {
      for (KeyedStateHandle h : handles) {
        if (h != null) {
          out.add(h);
        }
      }
    }
    return out;
  }

  private StateDb openNew(
      IsleResources resources, KeyedStateBackendParameters<K> p, String backendUid) {
    String child = childOf(p, backendUid);
    return StateDb.open(
        resources,
        location.storeUri(),
        location.prefixOf(child),
        location.hadoopConf(),
        writerOptions,
        null,
        maintenance,
        new TtlCompactionFilter(p.getTtlTimeProvider()));
  }

  /** The database of a new backend: {@code <job>/<operator>/<backend id>} under the location. */
  private static String childOf(KeyedStateBackendParameters<?> p, String backendUid) {
    return safe(p.getJobID().toString()) + "/" + safe(p.getOperatorIdentifier()) + "/" + backendUid;
  }

  /** Who holds a checkpoint's pin, as {@code IsleDB.pinInfos()} lists it: job and backend. */
  static String pinOwner(String jobId, String backendUid) {
    return "flink job " + jobId + " isle backend " + backendUid;
  }

  /** A path segment made of letters, digits, '.', '_' and '-' only. */
  static String safe(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-';
      b.append(ok ? c : '_');
    }
    String out = b.toString();
    return out.isEmpty() ? "_" : out;
  }

  private static List<IsleCheckpoint> isleCheckpoints(Collection<KeyedStateHandle> handles)
      throws java.io.IOException {
    List<IsleCheckpoint> out = new ArrayList<>();
    if (handles == null) {
      return out;
    }
    for (KeyedStateHandle h : handles) {
      if (h == null) {
        continue;
      }
      out.add(
          IsleCheckpoint.of(h)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "the isle state backend restores only its own checkpoints; got "
                              + h.getClass().getName()
                              + " (a canonical savepoint restores; a checkpoint of another backend"
                              + " does not)")));
    }
    return out;
  }
}
