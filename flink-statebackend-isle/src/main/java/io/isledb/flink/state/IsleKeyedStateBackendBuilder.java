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
 *   <li>Anything else (rescaling): a new database, filled by {@link RescaleCopy} with the entries
 *       of the owned key groups read from each handle's pinned version. Correct but not zero-copy.
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

  IsleKeyedStateBackendBuilder(
      KeyedStateBackendParameters<K> parameters,
      StateLocation location,
      IsleResourcesOptions resourcesOptions,
      WriterOptions writerOptions,
      TimerServiceType timerService,
      LatencyTrackingStateConfig latencyTracking,
      SizeTrackingStateConfig sizeTracking,
      StreamCompressionDecorator compression,
      Maintenance maintenance) {
    this.parameters = parameters;
    this.location = location;
    this.resourcesOptions = resourcesOptions;
    this.writerOptions = writerOptions;
    this.timerService = timerService;
    this.latencyTracking = latencyTracking;
    this.sizeTracking = sizeTracking;
    this.compression = compression;
    this.maintenance = maintenance;
  }

  IsleKeyedStateBackend<K> build() throws BackendBuildingException {
    Environment env = parameters.getEnv();
    ClassLoader userClassLoader = env.getUserCodeClassLoader().asClassLoader();
    KeyGroupRange range = parameters.getKeyGroupRange();
    UUID backendId = UUID.randomUUID();
    String backendUid = backendId.toString().replace("-", "").substring(0, 16);
    IsleResources resources = SharedResources.acquire(resourcesOptions);
    StateDb db = null;
    try {
      IsleCheckpoint.registerSecrets(location.storeUri(), location.hadoopConf());
      StateRegistry registry = new StateRegistry();
      TypeSerializer<K> keySerializer = parameters.getKeySerializer();
      List<IsleCheckpoint> handles = isleCheckpoints(parameters.getStateHandles());
      if (handles.size() == 1 && handles.get(0).getSourceKeyGroupRange().equals(range)) {
        IsleCheckpoint h = handles.get(0);
        db =
            StateDb.open(
                resources,
                h.getStoreUri(),
                h.getPrefix(),
                h.hadoopConf(),
                writerOptions,
                h.getPinName(),
                maintenance);
        byte[] meta = db.get(StateKeys.META_KEY);
        if (meta == null) {
          throw new IllegalStateException(
              "the checkpoint " + h + " has no isle state backend metadata");
        }
        StateRegistry.Decoded decoded = StateRegistry.decode(meta, userClassLoader);
        keySerializer =
            StateRegistry.checkKeySerializer(keySerializer, decoded.keySerializerSnapshot());
        registry.adopt(decoded);
      } else {
        db = openNew(resources, parameters, backendUid);
        if (!handles.isEmpty()) {
          keySerializer =
              RescaleCopy.copy(handles, range, db, registry, keySerializer, userClassLoader);
        }
      }
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
              pinOwner(parameters.getJobID().toString(), backendUid),
              timerService,
              maintenance);
      IsleMetrics.register(parameters.getMetricGroup(), db, backend::lastCheckpointBytes);
      return backend;
    } catch (Throwable t) {
      if (db != null) {
        db.close();
      }
      SharedResources.release(resources);
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

  private StateDb openNew(
      IsleResources resources, KeyedStateBackendParameters<K> p, String backendUid) {
    String child =
        safe(p.getJobID().toString()) + "/" + safe(p.getOperatorIdentifier()) + "/" + backendUid;
    return StateDb.open(
        resources,
        location.storeUri(),
        location.prefixOf(child),
        location.hadoopConf(),
        writerOptions,
        null,
        maintenance);
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
                              + " (restoring savepoints of other backends is not supported"
                              + " yet)")));
    }
    return out;
  }
}
