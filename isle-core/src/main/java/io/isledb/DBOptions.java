package io.isledb;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Settings shared by everything that opens one database prefix. Immutable; start from {@link
 * #defaults()} and change fields with the {@code withX} methods.
 *
 * @param clock the time source for expiry, data times and GC grace (injected for tests)
 * @param lsnExtractor optional: publishes committed / low-watermark LSNs in CURRENT
 * @param snapshotEvery a manifest snapshot is written after this many log edits (default 32), so a
 *     cold open reads one snapshot and at most about that many edits
 * @param gcGracePeriod how long an unreferenced object survives before GC may delete it (default 10
 *     minutes). Writers commit what they upload within half of it; readers refresh their view well
 *     within it. Every process on a prefix must use the same value: the first author records it in
 *     {@code manifest/settings.json}, and a process with another value is refused
 *     (INVALID_ARGUMENT) when it opens a role.
 * @param logRetention how long log edits, and every table they added, are kept after they stop
 *     being needed by the newest version (default 1 hour): the history that tailing readers can
 *     resume from and {@code openVersion} can open without a pin
 * @param idSource supplies 16 random bytes for table and blob ids (a seeded source in tests)
 * @param manifestStore where the manifest is kept (default {@link
 *     ManifestStoreConfig#objectStore()}, on the database's object store); every process on a
 *     prefix must use the same
 */
public record DBOptions(
    Clock clock,
    CommittedLsnExtractor lsnExtractor,
    int snapshotEvery,
    Duration gcGracePeriod,
    Duration logRetention,
    Supplier<byte[]> idSource,
    ManifestStoreConfig manifestStore) {

  public DBOptions {
    Objects.requireNonNull(manifestStore, "manifestStore");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(gcGracePeriod, "gcGracePeriod");
    Objects.requireNonNull(idSource, "idSource");
    Objects.requireNonNull(logRetention, "logRetention");
    if (logRetention.isNegative()) {
      throw IsleException.invalidArgument("logRetention must not be negative, got " + logRetention);
    }
    if (snapshotEvery < 1) {
      throw IsleException.invalidArgument("snapshotEvery must be at least 1, got " + snapshotEvery);
    }
    if (gcGracePeriod.isNegative() || gcGracePeriod.isZero()) {
      throw IsleException.invalidArgument("gcGracePeriod must be positive, got " + gcGracePeriod);
    }
  }

  /**
   * Defaults: system UTC clock, no LSN extractor, snapshot every 32 edits, 10 minute grace, 1 hour
   * log retention.
   */
  public static DBOptions defaults() {
    return new DBOptions(
        Clock.systemUTC(),
        null,
        32,
        Duration.ofMinutes(10),
        Duration.ofHours(1),
        io.isledb.db.Ids.secureRandomSource(),
        ManifestStoreConfig.objectStore());
  }

  /** The options before {@code manifestStore} existed: the manifest on the object store. */
  public DBOptions(
      Clock clock,
      CommittedLsnExtractor lsnExtractor,
      int snapshotEvery,
      Duration gcGracePeriod,
      Duration logRetention,
      Supplier<byte[]> idSource) {
    this(
        clock,
        lsnExtractor,
        snapshotEvery,
        gcGracePeriod,
        logRetention,
        idSource,
        ManifestStoreConfig.objectStore());
  }

  public DBOptions withClock(Clock c) {
    return new DBOptions(
        c, lsnExtractor, snapshotEvery, gcGracePeriod, logRetention, idSource, manifestStore);
  }

  public DBOptions withLsnExtractor(CommittedLsnExtractor e) {
    return new DBOptions(
        clock, e, snapshotEvery, gcGracePeriod, logRetention, idSource, manifestStore);
  }

  public DBOptions withSnapshotEvery(int n) {
    return new DBOptions(
        clock, lsnExtractor, n, gcGracePeriod, logRetention, idSource, manifestStore);
  }

  public DBOptions withGcGracePeriod(Duration d) {
    return new DBOptions(
        clock, lsnExtractor, snapshotEvery, d, logRetention, idSource, manifestStore);
  }

  public DBOptions withLogRetention(Duration d) {
    return new DBOptions(
        clock, lsnExtractor, snapshotEvery, gcGracePeriod, d, idSource, manifestStore);
  }

  public DBOptions withIdSource(Supplier<byte[]> s) {
    return new DBOptions(
        clock, lsnExtractor, snapshotEvery, gcGracePeriod, logRetention, s, manifestStore);
  }

  /**
   * Where the manifest is kept ({@link ManifestStoreConfig#objectStore()} by default).
   *
   * @throws IsleException of kind INVALID_ARGUMENT when a database is opened with a kind that is
   *     not available (the JDBC manifest store, for now)
   */
  public DBOptions withManifestStore(ManifestStoreConfig m) {
    return new DBOptions(
        clock, lsnExtractor, snapshotEvery, gcGracePeriod, logRetention, idSource, m);
  }
}
