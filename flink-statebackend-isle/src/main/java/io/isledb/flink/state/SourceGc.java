package io.isledb.flink.state;

import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.PinInfo;
import java.time.Duration;

/**
 * A database a backend retired and collects (an old database after a claimed restore by fork, or an
 * abandoned fork): its store, database and garbage collector, opened by that backend ({@link
 * SourceRetirement}).
 */
final class SourceGc implements AutoCloseable {
  private final ObjectStore store;
  private final IsleDB db;
  final GarbageCollector gc;

  private SourceGc(ObjectStore store, IsleDB db, GarbageCollector gc) {
    this.store = store;
    this.db = db;
    this.gc = gc;
  }

  /**
   * Retires the database at {@code prefix} (idempotent) and opens its GC, periodic at the backend's
   * GC interval; null when the prefix holds no database any more (deleted already: opening it would
   * start a new one).
   */
  static SourceGc open(
      StateDb owner, String prefix, Maintenance maintenance, boolean abandonedFork) {
    ObjectStore store =
        TestHooks.sourceStore(
            owner.resources().openStore(owner.storeUri(), prefix, owner.hadoopConf()));
    IsleDB db = null;
    GarbageCollector gc = null;
    try {
      DBOptions options = maintenance.dbOptions();
      java.time.Clock clock = TestHooks.sourceGcClock;
      // Opening reads nothing: only holdsManifest tells whether a database is there (in whichever
      // manifest store the backend is configured with).
      db =
          IsleDB.open(store, clock == null ? options : options.withClock(clock), owner.resources());
      if (!db.holdsManifest()) {
        db.close();
        store.close();
        return null;
      }
      db.retire();
      if (abandonedFork) {
        // Pins of checkpoints that never completed (and would expire only after their ttl).
        for (PinInfo pin : db.pinInfos()) {
          db.unpin(pin.name());
        }
      }
      Duration interval =
          maintenance.gcInterval.isZero() ? Duration.ofDays(1) : maintenance.gcInterval;
      gc = db.openGarbageCollector(new GcOptions(interval));
      if (!maintenance.gcInterval.isZero()) {
        gc.start();
      }
      return new SourceGc(store, db, gc);
    } catch (RuntimeException e) {
      if (gc != null) {
        gc.close();
      }
      if (db != null) {
        db.close();
      }
      store.close();
      throw e;
    }
  }

  /** Whether the database was deleted: its manifest store (wherever it is) holds nothing. */
  boolean isEmpty() {
    return !db.holdsManifest();
  }

  @Override
  public void close() {
    try {
      gc.close();
    } finally {
      try {
        db.close();
      } finally {
        store.close();
      }
    }
  }
}
