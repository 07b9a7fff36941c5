package io.isledb.flink.state;

import io.isledb.DBOptions;
import io.isledb.PinOptions;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.ReadableConfig;

/**
 * How a backend's database is kept small: compaction, GC and the expiry of checkpoint pins (the
 * {@code state.backend.isle.compaction.*}, {@code gc.*} and {@code checkpoint.pin-ttl} options).
 */
final class Maintenance implements Serializable {
  private static final long serialVersionUID = 1L;

  static final Maintenance DEFAULTS =
      new Maintenance(
          IsleStateBackendOptions.COMPACTION_ENABLED.defaultValue(),
          IsleStateBackendOptions.GC_INTERVAL.defaultValue(),
          IsleStateBackendOptions.GC_GRACE_PERIOD.defaultValue(),
          IsleStateBackendOptions.GC_LOG_RETENTION.defaultValue(),
          IsleStateBackendOptions.CHECKPOINT_PIN_TTL.defaultValue());

  final boolean compaction;
  final Duration gcInterval; // zero: no GC
  final Duration gcGracePeriod;
  final Duration logRetention;
  final Duration pinTtl; // zero: pins never expire
  int gcAfterCheckpoints = IsleStateBackendOptions.GC_AFTER_CHECKPOINTS.defaultValue(); // 0: off
  int l0StopWrites = IsleStateBackendOptions.COMPACTION_L0_STOP_WRITES.defaultValue(); // 0: off
  StateManifest manifest = StateManifest.OBJECT_STORE;
  Duration maintenanceStartDelay = IsleStateBackendOptions.MAINTENANCE_START_DELAY.defaultValue();

  Maintenance(
      boolean compaction,
      Duration gcInterval,
      Duration gcGracePeriod,
      Duration logRetention,
      Duration pinTtl) {
    this.compaction = compaction;
    this.gcInterval = gcInterval;
    this.gcGracePeriod = gcGracePeriod;
    this.logRetention = logRetention;
    this.pinTtl = pinTtl;
  }

  /** {@code current} with the options {@code config} sets; bad values name their option. */
  static Maintenance configure(ReadableConfig config, Maintenance current) {
    int after =
        nonNegative(
            config, IsleStateBackendOptions.GC_AFTER_CHECKPOINTS, current.gcAfterCheckpoints);
    int stop =
        nonNegative(
            config, IsleStateBackendOptions.COMPACTION_L0_STOP_WRITES, current.l0StopWrites);
    Maintenance m =
        new Maintenance(
            config
                .getOptional(IsleStateBackendOptions.COMPACTION_ENABLED)
                .orElse(current.compaction),
            atLeast(config, IsleStateBackendOptions.GC_INTERVAL, current.gcInterval, true),
            atLeast(config, IsleStateBackendOptions.GC_GRACE_PERIOD, current.gcGracePeriod, false),
            atLeast(config, IsleStateBackendOptions.GC_LOG_RETENTION, current.logRetention, true),
            atLeast(config, IsleStateBackendOptions.CHECKPOINT_PIN_TTL, current.pinTtl, true));
    m.gcAfterCheckpoints = after;
    m.l0StopWrites = stop;
    m.manifest = StateManifest.configure(config, current.manifest);
    m.maintenanceStartDelay =
        atLeast(
            config,
            IsleStateBackendOptions.MAINTENANCE_START_DELAY,
            current.maintenanceStartDelay,
            true);
    return m;
  }

  /** Whether a backend opens a garbage collector: periodic passes or passes after checkpoints. */
  boolean gc() {
    return !gcInterval.isZero() || gcAfterCheckpoints > 0;
  }

  private static int nonNegative(ReadableConfig config, ConfigOption<Integer> option, int current) {
    int v = config.getOptional(option).orElse(current);
    if (v < 0) {
      throw new IllegalConfigurationException("'" + option.key() + "' must be 0 or more, got " + v);
    }
    return v;
  }

  private static Duration atLeast(
      ReadableConfig config, ConfigOption<Duration> option, Duration current, boolean zeroOk) {
    Duration d = config.getOptional(option).orElse(current);
    if (d.isNegative() || (!zeroOk && d.isZero())) {
      throw new IllegalConfigurationException(
          "'" + option.key() + "' must be " + (zeroOk ? "0 or more" : "positive") + ", got " + d);
    }
    return d;
  }

  /**
   * Manifest edits between snapshots: every commit (each checkpoint) is one edit, and a restore
   * replays the edits after the newest snapshot. 8 instead of the engine's 32 keeps that replay
   * short for two small writes (the snapshot and CURRENT) every 8 commits.
   */
  static final int SNAPSHOT_EVERY = 8;

  /** The database options every process on a backend's prefix uses. */
  DBOptions dbOptions() {
    return DBOptions.defaults()
        .withGcGracePeriod(gcGracePeriod)
        .withLogRetention(logRetention)
        .withManifestStore(manifest.config())
        .withSnapshotEvery(SNAPSHOT_EVERY);
  }

  /** The options of a checkpoint's pin held by {@code owner}. */
  PinOptions pinOptions(String owner) {
    PinOptions p = PinOptions.defaults().withOwner(owner).withHoldObject(pinsHeld());
    return pinTtl.isZero() ? p : p.withTtl(pinTtl);
  }

  /**
   * Whether checkpoint pins have a hold object, which the checkpoint's handle then names instead of
   * the pin: with a manifest store the JobManager cannot reach (jdbc), deleting the hold is how its
   * discard releases the pin (GC removes it). The object-store manifest keeps the pin object as the
   * handle's file (one PUT per checkpoint).
   */
  boolean pinsHeld() {
    return manifest.kind() != io.isledb.ManifestStoreConfig.Kind.OBJECT_STORE;
  }

  @Override
  public String toString() {
    return "compaction="
        + compaction
        + ", gcInterval="
        + gcInterval
        + ", gcGracePeriod="
        + gcGracePeriod
        + ", logRetention="
        + logRetention
        + ", pinTtl="
        + pinTtl
        + ", gcAfterCheckpoints="
        + gcAfterCheckpoints
        + ", manifest="
        + manifest;
  }
}
