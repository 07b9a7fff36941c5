package io.isledb.flink.state;

import io.isledb.flink.state.IsleStateBackendOptions.TimerServiceType;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.query.TaskKvStateRegistry;
import org.apache.flink.runtime.state.AbstractKeyedStateBackend;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.InternalKeyContext;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupedInternalPriorityQueue;
import org.apache.flink.runtime.state.Keyed;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.PriorityComparable;
import org.apache.flink.runtime.state.RegisteredKeyValueStateBackendMetaInfo;
import org.apache.flink.runtime.state.RegisteredPriorityQueueStateBackendMetaInfo;
import org.apache.flink.runtime.state.SavepointResources;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.StateSnapshotTransformer.StateSnapshotTransformFactory;
import org.apache.flink.runtime.state.StreamCompressionDecorator;
import org.apache.flink.runtime.state.heap.HeapPriorityQueueElement;
import org.apache.flink.runtime.state.metrics.LatencyTrackingStateConfig;
import org.apache.flink.runtime.state.metrics.SizeTrackingStateConfig;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.flink.util.StateMigrationException;

/**
 * The keyed state of one operator subtask in one IsleDB database, through the writer's
 * read-your-writes view. One class per state kind ({@link IsleValueState}, {@link IsleListState},
 * {@link IsleMapState}, {@link IsleReducingState}, {@link IsleAggregatingState}); timers in {@link
 * IsleTimerQueue}. A checkpoint is a cut of the memtable (synchronous), then a published and pinned
 * version (asynchronous), described by an {@link IsleCheckpoint}.
 *
 * <p>Accessed from the task thread, except the asynchronous part of a snapshot.
 */
public class IsleKeyedStateBackend<K> extends AbstractKeyedStateBackend<K> {
  private final StateDb db;
  private final StateRegistry registry;
  // The metadata record this backend last put (task thread); null: none yet, put at the next cut.
  private byte[] metaWritten;
  private final java.util.UUID backendId;
  private final String backendUid;

  /** The job of this attempt: a checkpoint records it, so only this job reopens it in place. */
  private final String jobId;

  private final String pinOwner;
  private final TimerServiceType timerService;
  private final Map<String, AbstractIsleState<K, ?, ?>> createdStates = new HashMap<>();
  private final Map<String, IsleTimerQueue<?>> queues = new HashMap<>();
  private final int timerCacheSize;
  private int completedSinceGc; // completed checkpoints since the last requested GC pass
  private final AtomicLong bytesAtLastCheckpoint;
  private final Maintenance maintenance;
  private final CheckpointPins checkpointPins;
  private final AtomicLong lastCheckpointBytes = new AtomicLong();
  private boolean disposed;
  private SourceRetirement retirement = SourceRetirement.NONE;

  IsleKeyedStateBackend(
      TaskKvStateRegistry kvStateRegistry,
      TypeSerializer<K> keySerializer,
      ClassLoader userCodeClassLoader,
      ExecutionConfig executionConfig,
      TtlTimeProvider ttlTimeProvider,
      LatencyTrackingStateConfig latencyTrackingStateConfig,
      SizeTrackingStateConfig sizeTrackingStateConfig,
      CloseableRegistry cancelStreamRegistry,
      StreamCompressionDecorator compression,
      InternalKeyContext<K> keyContext,
      StateDb db,
      StateRegistry registry,
      java.util.UUID backendId,
      String jobId,
      String pinOwner,
      TimerServiceType timerService,
      int timerCacheSize,
      Maintenance maintenance) {
    super(
        kvStateRegistry,
        keySerializer,
        userCodeClassLoader,
        executionConfig,
        ttlTimeProvider,
        latencyTrackingStateConfig,
        sizeTrackingStateConfig,
        cancelStreamRegistry,
        compression,
        keyContext);
    this.db = db;
    this.registry = registry;
    this.backendId = backendId;
    this.backendUid = backendId.toString().replace("-", "").substring(0, 16);
    this.jobId = jobId;
    this.pinOwner = pinOwner;
    this.timerService = timerService;
    this.timerCacheSize = timerCacheSize;
    this.bytesAtLastCheckpoint = new AtomicLong(db.bytesWritten());
    this.maintenance = maintenance;
    this.checkpointPins = new CheckpointPins(db);
  }

  StateDb db() {
    return db;
  }

  /** The old databases this backend retires after a claimed restore by fork (the builder's). */
  void useRetirement(SourceRetirement retirement) {
    this.retirement = retirement;
  }

  SourceRetirement retirement() {
    return retirement;
  }

  /** Bytes the latest completed asynchronous phase found written since the one before. */
  long lastCheckpointBytes() {
    return lastCheckpointBytes.get();
  }

  CheckpointPins checkpointPins() {
    return checkpointPins;
  }

  StateRegistry registry() {
    return registry;
  }

  // ------------------------------------------------------------------ states

  @Override
  public <N, SV, SEV, S extends State, IS extends S> IS createOrUpdateInternalState(
      TypeSerializer<N> namespaceSerializer,
      StateDescriptor<S, SV> stateDesc,
      StateSnapshotTransformFactory<SEV> snapshotTransformFactory)
      throws Exception {
    return createOrUpdateInternalState(
        namespaceSerializer, stateDesc, snapshotTransformFactory, false);
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public <N, SV, SEV, S extends State, IS extends S> IS createOrUpdateInternalState(
      TypeSerializer<N> namespaceSerializer,
      StateDescriptor<S, SV> stateDesc,
      StateSnapshotTransformFactory<SEV> snapshotTransformFactory,
      boolean allowFutureMetadataUpdates)
      throws Exception {
    RegisteredKeyValueStateBackendMetaInfo<N, SV> meta =
        registry.registerKeyed(
            namespaceSerializer,
            stateDesc,
            allowFutureMetadataUpdates,
            (stateId, restored) ->
                StateMigration.migrate(
                    db, getKeyGroupRange(), stateId, stateDesc, restored, ttlTimeProvider));
    // Kept for canonical savepoints: TTL's full-snapshot cleanup filter (or no transform). It
    // judges one serialized element, which is one isle entry for every state kind.
    meta.updateSnapshotTransformFactory((StateSnapshotTransformFactory) snapshotTransformFactory);
    int id = registry.get(stateDesc.getName()).id;
    db.ttlFilter().register(id, stateDesc, meta.getStateSerializer());
    AbstractIsleState<K, N, SV> existing =
        (AbstractIsleState<K, N, SV>) createdStates.get(stateDesc.getName());
    if (existing != null) {
      existing.setSerializers(meta.getNamespaceSerializer(), meta.getStateSerializer());
      return (IS) existing;
    }
    AbstractIsleState<K, N, ?> state = newState(stateDesc, id, meta);
    createdStates.put(stateDesc.getName(), state);
    return (IS) state;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private <N, SV> AbstractIsleState<K, N, ?> newState(
      StateDescriptor<?, SV> desc, int id, RegisteredKeyValueStateBackendMetaInfo<N, SV> meta) {
    TypeSerializer<N> ns = meta.getNamespaceSerializer();
    TypeSerializer<SV> sv = meta.getStateSerializer();
    switch (desc.getType()) {
      case VALUE:
        return new IsleValueState<>(this, id, ns, sv, desc.getDefaultValue());
      case LIST:
        return new IsleListState(this, id, ns, sv);
      case MAP:
        return new IsleMapState(this, id, ns, sv);
      case REDUCING:
        return new IsleReducingState<>(
            this, id, ns, sv, null, ((ReducingStateDescriptor<SV>) desc).getReduceFunction());
      case AGGREGATING:
        return new IsleAggregatingState(
            this, id, ns, sv, ((AggregatingStateDescriptor) desc).getAggregateFunction());
      default:
        throw new FlinkRuntimeException(
            "the isle state backend does not support state kind "
                + desc.getType()
                + " (state '"
                + desc.getName()
                + "')");
    }
  }

  // ------------------------------------------------------------------ timers

  @Override
  public <T extends HeapPriorityQueueElement & PriorityComparable<? super T> & Keyed<?>>
      KeyGroupedInternalPriorityQueue<T> create(
          String stateName, TypeSerializer<T> byteOrderedElementSerializer) {
    return create(stateName, byteOrderedElementSerializer, false);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends HeapPriorityQueueElement & PriorityComparable<? super T> & Keyed<?>>
      KeyGroupedInternalPriorityQueue<T> create(
          String stateName,
          TypeSerializer<T> byteOrderedElementSerializer,
          boolean allowFutureMetadataUpdates) {
    StateRegistry.Entry entry = registry.get(stateName);
    boolean restored = entry != null && !queues.containsKey(stateName);
    TypeSerializer<T> serializer = byteOrderedElementSerializer;
    if (entry == null) {
      RegisteredPriorityQueueStateBackendMetaInfo<T> meta =
          new RegisteredPriorityQueueStateBackendMetaInfo<>(stateName, serializer);
      entry =
          registry.register(
              allowFutureMetadataUpdates ? meta.withSerializerUpgradesAllowed() : meta);
    } else {
      if (!(entry.meta instanceof RegisteredPriorityQueueStateBackendMetaInfo)) {
        throw new FlinkRuntimeException(
            "state '" + stateName + "' is a keyed state, not a timer queue");
      }
      RegisteredPriorityQueueStateBackendMetaInfo<T> meta =
          (RegisteredPriorityQueueStateBackendMetaInfo<T>) entry.meta;
      TypeSerializerSchemaCompatibility<T> compat = meta.updateElementSerializer(serializer);
      if (compat.isCompatibleAfterMigration() || compat.isIncompatible()) {
        throw new FlinkRuntimeException(
            new StateMigrationException(
                "The new element serializer of timer queue '"
                    + stateName
                    + "' must be compatible with the old one."));
      }
      serializer = meta.getElementSerializer();
      entry.meta = allowFutureMetadataUpdates ? meta.withSerializerUpgradesAllowed() : meta;
    }
    IsleTimerQueue<T> queue = (IsleTimerQueue<T>) queues.get(stateName);
    if (queue != null) {
      queue.setSerializer(serializer);
      return queue;
    }
    queue =
        new IsleTimerQueue<>(
            this,
            entry.id,
            serializer,
            timerService == TimerServiceType.ISLE,
            timerCacheSize,
            restored);
    if (restored) {
      try {
        queue.load();
      } catch (java.io.IOException e) {
        throw new FlinkRuntimeException("cannot load the timers of '" + stateName + "'", e);
      }
    }
    queues.put(stateName, queue);
    return queue;
  }

  // ------------------------------------------------------------------ iteration

  @Override
  public <N> Stream<K> getKeys(String state, N namespace) {
    return KeyIteration.keys(this, state, namespace);
  }

  @Override
  public <N> Stream<K> getKeys(List<String> states, N namespace) {
    return states.stream().flatMap(s -> getKeys(s, namespace)).distinct();
  }

  @Override
  public <N> Stream<Tuple2<K, N>> getKeysAndNamespaces(String state) {
    return KeyIteration.keysAndNamespaces(this, state);
  }

  @Override
  public int numKeyValueStateEntries() {
    return KeyIteration.countEntries(this);
  }

  // ------------------------------------------------------------------ checkpoints

  @Override
  public RunnableFuture<SnapshotResult<KeyedStateHandle>> snapshot(
      long checkpointId,
      long timestamp,
      CheckpointStreamFactory streamFactory,
      CheckpointOptions checkpointOptions) {
    if (registry.all().isEmpty()) {
      return new FutureTask<>(SnapshotResult::empty);
    }
    // Synchronous part: the metadata and the timers enter the memtable, then the cut.
    for (IsleTimerQueue<?> queue : queues.values()) {
      queue.rewrite();
    }
    writeMeta();
    retirement.snapshotting(checkpointId, checkpointOptions);
    CompletableFuture<Long> cut = db.cut();
    // A native savepoint's pin is named apart: restoring it never retires this database.
    String pinName =
        (checkpointOptions.getCheckpointType().isSavepoint() ? "svp-" : "chk-")
            + checkpointId
            + "-"
            + backendUid;
    KeyGroupRange range = getKeyGroupRange();
    return checkpointPins.phase(
        checkpointId,
        () -> {
          TestHooks.asyncStart(checkpointId);
          long version = cut.get();
          TestHooks.afterCommit(checkpointId);
          db.pin(pinName, version, maintenance.pinOptions(pinOwner));
          if (!checkpointPins.pinned(checkpointId, pinName)) {
            throw new java.util.concurrent.CancellationException(
                "checkpoint " + checkpointId + " was aborted; its pin " + pinName + " is removed");
          }
          TestHooks.afterPin(checkpointId);
          long written = db.bytesWritten();
          long delta = written - bytesAtLastCheckpoint.getAndSet(written);
          lastCheckpointBytes.set(Math.max(delta, 0));
          return SnapshotResult.of(
              new IsleCheckpoint(
                      db.storeUri(), db.prefix(), version, pinName, range, db.hadoopConf(), jobId)
                  .toHandle(backendId, checkpointId, Math.max(delta, 0), maintenance.pinsHeld()));
        });
  }

  @Override
  public SavepointResources<K> savepoint() {
    // Synchronous part, as for a checkpoint: timers and metadata into the memtable, then the cut;
    // the asynchronous part iterates the cut's version in Flink's canonical key-groups format.
    for (IsleTimerQueue<?> queue : queues.values()) {
      queue.rewrite();
    }
    writeMeta();
    return new SavepointResources<>(
        new CanonicalSavepoint<>(
            db,
            db.cut(),
            "sp-" + backendUid + "-" + java.util.UUID.randomUUID(),
            pinOwner,
            registry,
            getKeySerializer(),
            getKeyGroupRange(),
            numberOfKeyGroups,
            keyGroupCompressionDecorator),
        org.apache.flink.runtime.state.SnapshotExecutionType.ASYNCHRONOUS);
  }

  /**
   * Puts the metadata record into the memtable when it differs from the one this backend put last
   * (task thread). An unchanged record is already in the database, so a checkpoint with no other
   * write leaves the memtable empty and its cut is the current head: an idle job's checkpoints
   * publish no version (no table, no manifest edit), only their pins.
   */
  private void writeMeta() {
    byte[] meta = registry.encode(getKeySerializer());
    if (!java.util.Arrays.equals(meta, metaWritten)) {
      db.put(StateKeys.META_KEY, meta);
      metaWritten = meta;
    }
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    // The pin now belongs to the JobManager, which removes it when it discards the checkpoint.
    checkpointPins.completed(checkpointId);
    // After a claimed restore by fork: the first completed checkpoint retires the old databases.
    retirement.completed(checkpointId);
    // GC after checkpoints: the checkpoints this one subsumes lose their pins, so a pass can
    // collect their tables (after the grace period); on the shared compaction threads.
    if (maintenance.gcAfterCheckpoints > 0
        && ++completedSinceGc >= maintenance.gcAfterCheckpoints) {
      completedSinceGc = 0;
      db.requestGc();
    }
  }

  @Override
  public void notifyCheckpointAborted(long checkpointId) {
    // The JobManager discards the handles of an aborted checkpoint it received, but a handle that
    // never reached it would leave its pin behind (until the pin's ttl): an aborted checkpoint is
    // never restored, so its pin goes now, also when it is written after this notification.
    checkpointPins.aborted(checkpointId);
  }

  @Override
  public boolean requiresLegacySynchronousTimerSnapshots(
      org.apache.flink.runtime.checkpoint.SnapshotType checkpointType) {
    return false; // timers are in the database's checkpointed version
  }

  @Override
  public String getBackendTypeIdentifier() {
    return "isle";
  }

  @Override
  public boolean isSafeToReuseKVState() {
    return true; // every read deserializes a fresh object
  }

  /** Whether {@link #dispose} ran (tests dispose what Flink's templates leave open). */
  boolean isDisposed() {
    return disposed;
  }

  @Override
  public void dispose() {
    if (disposed) {
      return;
    }
    disposed = true;
    super.dispose();
    retirement.close();
    createdStates.clear();
    queues.clear();
    db.close(); // and gives back the backend's hold on the shared resources and slot memory
  }
}
