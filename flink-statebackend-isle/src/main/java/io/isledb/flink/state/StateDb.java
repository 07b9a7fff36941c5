package io.isledb.flink.state;

import io.isledb.IsleDB;
import io.isledb.IsleResources;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.PinOptions;
import io.isledb.ReadView;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The database of one keyed backend: its store, the {@link IsleDB}, the single {@link Writer} and
 * the writer's read-your-writes view, on which every state access runs. Owns one reference to the
 * JVM's {@link SharedResources}.
 */
final class StateDb implements AutoCloseable {
  private final String storeUri;
  private final String prefix;
  private final Map<String, String> hadoopConf;
  private final IsleResources resources;
  private final ObjectStore store;
  private final IsleDB db;
  private final Writer writer;
  private final ReadView view;
  private final MaintenanceRoles maintenance;
  private final TtlCompactionFilter ttlFilter;
  private AutoCloseable releaseOnClose;
  private boolean closed;
  private long deletes;

  private StateDb(
      String storeUri,
      String prefix,
      Map<String, String> hadoopConf,
      IsleResources resources,
      ObjectStore store,
      IsleDB db,
      Writer writer,
      MaintenanceRoles maintenance,
      TtlCompactionFilter ttlFilter) {
    this.storeUri = storeUri;
    this.prefix = prefix;
    this.hadoopConf = hadoopConf;
    this.resources = resources;
    this.store = store;
    this.db = db;
    this.writer = writer;
    this.view = writer.view();
    this.maintenance = maintenance;
    this.ttlFilter = ttlFilter;
  }

  /**
   * Opens the database {@code storeUri + prefix} with its writer; restored to the pin {@code
   * restorePin} when not null (fencing every earlier writer of the prefix either way). Its
   * compactor drops expired TTL state as {@code ttlFilter} decides.
   */
  static StateDb open(
      IsleResources resources,
      String storeUri,
      String prefix,
      Map<String, String> hadoopConf,
      WriterOptions writerOptions,
      String restorePin,
      Maintenance settings,
      TtlCompactionFilter ttlFilter) {
    ObjectStore store = resources.openStore(storeUri, prefix, hadoopConf);
    return openOn(
        resources,
        store,
        storeUri,
        hadoopConf,
        writerOptions,
        restorePin,
        settings,
        ttlFilter,
        restorePin != null);
  }

  /**
   * {@link #open} on {@code store}, already opened on a prefix of {@code storeUri} (a restore that
   * forked into it first); the database owns it from now on and closes it, also when this fails.
   * The compactor and GC of a {@code restored} database (reopened at a pin, or forked) are opened
   * {@code maintenance.start-delay} after the open, off the task thread (see {@link
   * MaintenanceRoles}), so that neither their opens nor a compaction of the restored tables compete
   * with the restore's first state accesses; a new database's at once.
   */
  static StateDb openOn(
      IsleResources resources,
      ObjectStore store,
      String storeUri,
      Map<String, String> hadoopConf,
      WriterOptions options,
      String restorePin,
      Maintenance settings,
      TtlCompactionFilter ttlFilter,
      boolean restored) {
    String prefix = store.prefix();
    WriterOptions writerOptions = options;
    IsleDB db = null;
    Writer writer = null;
    MaintenanceRoles maintenance = null;
    try {
      db = IsleDB.open(store, settings.dbOptions(), resources);
      writer =
          restorePin == null
              ? db.openWriter(writerOptions)
              : db.openWriterRestoredTo(writerOptions, restorePin);
      // Opened after the writer: a restored database is first rolled back, then maintained. Both
      // run on the shared compaction pool of the resources, never on the task thread; the
      // compactor looks whenever the writer commits (each checkpoint), GC at its interval. A
      // restored database opens them only after the start delay, off the task thread.
      maintenance = MaintenanceRoles.open(db, settings, ttlFilter, restored);
      return new StateDb(
          storeUri, prefix, hadoopConf, resources, store, db, writer, maintenance, ttlFilter);
    } catch (RuntimeException e) {
      if (maintenance != null) {
        maintenance.close();
      }
      if (writer != null) {
        try {
          writer.close();
        } catch (RuntimeException ignored) {
          // failing anyway
        }
      }
      if (db != null) {
        db.close();
      }
      store.close();
      throw e;
    }
  }

  /** Block and disk cache hits and misses of this database's reads (its writer's view). */
  io.isledb.CacheStats cacheStats() {
    return writer.cacheStats();
  }

  /** The filter of this database's compactor, to which states register their TTL. */
  TtlCompactionFilter ttlFilter() {
    return ttlFilter;
  }

  byte[] get(byte[] key) {
    return view.get(key).orElse(null);
  }

  void put(byte[] key, byte[] value) {
    writer.put(key, value);
  }

  /** Appends {@code operand} to the value of {@code key} without reading it (an engine append). */
  void append(byte[] key, byte[] operand) {
    writer.append(key, operand);
  }

  void delete(byte[] key) {
    deletes++;
    writer.delete(key);
  }

  /** Deletes issued so far (task thread only): tests bound the tombstones a state kind writes. */
  long deletes() {
    return deletes;
  }

  /**
   * Up to {@code limit} entries of {@code [from, to)} in key order, read at once so that no
   * iterator stays open between calls.
   */
  List<KV> scan(byte[] from, byte[] to, int limit) {
    List<KV> out = new ArrayList<>(Math.min(limit, 256));
    try (KvIterator it = view.scan(from, to)) {
      while (out.size() < limit && it.hasNext()) {
        out.add(it.next());
      }
    }
    return out;
  }

  /**
   * Asks the database's garbage collector for one pass on the shared compaction threads (after a
   * checkpoint); a no-op without one or once closed.
   */
  void requestGc() {
    maintenance.requestGc();
  }

  /** Whether the compactor and GC are open (a restored database opens them after a delay). */
  boolean maintenanceOpen() {
    return maintenance.opened();
  }

  /** The cut of a checkpoint: the future of the exact version holding every write so far. */
  CompletableFuture<Long> cut() {
    return writer.flushAsync();
  }

  /**
   * Pins {@code version} under {@code name}: from the writer's head when the head is still that
   * version (one PUT), otherwise through the general pin path.
   */
  void pin(String name, long version, PinOptions options) {
    if (writer.lastCommittedVersion() == version) {
      long pinned = writer.pinHead(name, options);
      if (pinned == version) {
        return;
      }
    }
    db.pin(name, version, options);
  }

  /** Removes the pin {@code name} (a no-op when it is gone). */
  void unpin(String name) {
    db.unpin(name);
  }

  /**
   * A read-only view of {@code version} with its own reader (both closed together), for iterating a
   * snapshot while the writer goes on.
   */
  VersionView openVersion(long version) {
    io.isledb.Reader reader = db.openReader(io.isledb.ReaderOptions.defaults());
    try {
      return new VersionView(reader, reader.openVersion(version));
    } catch (RuntimeException e) {
      reader.close();
      throw e;
    }
  }

  /** A version's view and the reader it came from. */
  record VersionView(io.isledb.Reader reader, ReadView view) implements AutoCloseable {
    @Override
    public void close() {
      try {
        view.close();
      } finally {
        reader.close();
      }
    }
  }

  /** The pins of this database (for tests and diagnostics). */
  List<io.isledb.PinInfo> pins() {
    return db.pinInfos();
  }

  io.isledb.RequestStats stats() {
    return store.stats();
  }

  long bytesWritten() {
    return store.stats().bytesWritten();
  }

  String storeUri() {
    return storeUri;
  }

  String prefix() {
    return prefix;
  }

  Map<String, String> hadoopConf() {
    return hadoopConf;
  }

  IsleResources resources() {
    return resources;
  }

  /** Closes {@code resources} (the backend's hold on its shared resources) after the database. */
  synchronized void releaseOnClose(AutoCloseable resources) {
    this.releaseOnClose = resources;
  }

  /** Closes the writer (flushing), the database and the store; never throws. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // Background work stops first, so that nothing of this database runs once it is closed.
    maintenance.close();
    try {
      view.close();
    } catch (RuntimeException ignored) {
      // the writer's close ends the view anyway
    }
    try {
      writer.close();
    } catch (RuntimeException ignored) {
      // a fenced or failed writer: its unflushed writes are not part of any checkpoint
    }
    try {
      db.close();
    } finally {
      try {
        store.close();
      } finally {
        if (releaseOnClose != null) {
          try {
            releaseOnClose.close();
          } catch (Exception ignored) {
            // the shared resources' hold: releasing it never fails the close
          }
        }
      }
    }
  }
}
