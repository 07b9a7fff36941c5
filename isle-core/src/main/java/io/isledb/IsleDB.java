package io.isledb;

import io.isledb.db.DbContext;
import io.isledb.db.Pins;
import io.isledb.db.compaction.DbCompactor;
import io.isledb.db.compaction.DbRetentionCompactor;
import io.isledb.db.gc.DbGarbageCollector;
import io.isledb.db.read.DbReader;
import io.isledb.db.tail.DbTailingReader;
import io.isledb.db.write.DbSstWriter;
import io.isledb.db.write.DbWriter;
import io.isledb.db.write.ExternalCommit;
import io.isledb.manifest.ManifestAppender;
import io.isledb.manifest.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The entry point of the engine: a database is one prefix of an {@link ObjectStore}. From an {@code
 * IsleDB} open the single {@link Writer}, any number of {@link Reader}s and {@link TailingReader}s
 * (also available without an {@code IsleDB} through the static methods, for processes that only
 * read).
 *
 * <pre>{@code
 * try (ObjectStore store = IsleDB.openStore("file:///data", "db1");
 *     IsleDB db = IsleDB.open(store, DBOptions.defaults());
 *     Writer w = db.openWriter(WriterOptions.defaults())) {
 *   w.put(key, value);
 *   w.flush();
 * }
 * }</pre>
 *
 * <p>Closing the {@code IsleDB} closes everything opened from it, but not the store.
 */
public final class IsleDB implements AutoCloseable {
  private final DbContext ctx;
  private final List<io.isledb.db.Resource> children = new ArrayList<>();
  private DbWriter writer;
  private ManifestAppender committer;
  private boolean closed;

  private IsleDB(DbContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Opens the storage of the database prefix {@code prefix} under {@code uri} ({@code
   * file:///abs/dir}, {@code s3a://bucket}, {@code abfs://container@account.dfs.core.windows.net},
   * {@code gs://bucket}, or any other Hadoop FileSystem URI). The caller closes it.
   */
  public static ObjectStore openStore(String uri, String prefix) {
    return openStore(uri, prefix, Map.of());
  }

  /**
   * Like {@link #openStore(String, String)}, with extra Hadoop configuration (credentials,
   * endpoints, and IsleDB's own {@code isledb.storage.*} keys documented in {@code
   * docs/isle-core.md}).
   */
  public static ObjectStore openStore(String uri, String prefix, Map<String, String> hadoopConf) {
    return io.isledb.storage.ObjectStores.open(uri, prefix, hadoopConf);
  }

  /**
   * Opens the database stored under {@code store}'s prefix. Reads nothing yet. The first role
   * opened (writer, reader, maintenance role, commit) checks, with one GET, that {@code
   * options.gcGracePeriod()} is the grace period the database records in {@code
   * manifest/settings.json}, and is refused with INVALID_ARGUMENT otherwise; the first author of a
   * database that records none records its own (docs/PROTOCOL.md, "Shared settings").
   */
  public static IsleDB open(ObjectStore store, DBOptions options) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(options, "options");
    return new IsleDB(new DbContext(store, options));
  }

  /**
   * Like {@link #open(ObjectStore, DBOptions)}, with the threads, caches and memtable budget of
   * {@code resources}, shared with every other database opened with it (see {@link IsleResources}).
   * Close the database before {@code resources}.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if {@code resources} was not made by {@link
   *     IsleResources#create}
   */
  public static IsleDB open(ObjectStore store, DBOptions options, IsleResources resources) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(options, "options");
    if (!(resources instanceof io.isledb.db.Resources r)) {
      throw IsleException.invalidArgument(
          "resources must come from IsleResources.create, got " + resources);
    }
    return new IsleDB(new DbContext(store, options, r));
  }

  /**
   * Opens a reader with default database options, except the GC grace period, which is the one the
   * database records ({@code manifest/settings.json}; the default if it records none).
   */
  public static Reader openReader(ObjectStore store, ReaderOptions options) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(options, "options");
    return new DbReader(
        new DbContext(store, DBOptions.defaults()).withRecordedGracePeriod(), options);
  }

  /**
   * Opens a reader.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if {@code dbOptions.gcGracePeriod()} is not the
   *     one the database records
   */
  public static Reader openReader(ObjectStore store, ReaderOptions options, DBOptions dbOptions) {
    Objects.requireNonNull(options, "options");
    DbContext ctx = new DbContext(store, dbOptions);
    ctx.checkReaderSettings();
    return new DbReader(ctx, options);
  }

  /**
   * Opens a tailing reader with default database options, except the GC grace period, which is the
   * one the database records (the default if it records none).
   */
  public static TailingReader openTailingReader(ObjectStore store, TailingReaderOptions options) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(options, "options");
    return new DbTailingReader(
        new DbContext(store, DBOptions.defaults()).withRecordedGracePeriod(), options);
  }

  /**
   * Opens a tailing reader.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if {@code dbOptions.gcGracePeriod()} is not the
   *     one the database records
   */
  public static TailingReader openTailingReader(
      ObjectStore store, TailingReaderOptions options, DBOptions dbOptions) {
    Objects.requireNonNull(options, "options");
    DbContext ctx = new DbContext(store, dbOptions);
    ctx.checkReaderSettings();
    return new DbTailingReader(ctx, options);
  }

  /** Opens the writer, fencing every earlier writer of this prefix (in any process). */
  public synchronized Writer openWriter(WriterOptions options) {
    checkOpen();
    Objects.requireNonNull(options, "options");
    writer = track(new DbWriter(ctx, options));
    committer = null;
    return writer;
  }

  /** A new builder of external tables for {@link #commit}; any thread or process may use one. */
  public SstWriter newSstWriter(SstWriterOptions options) {
    checkOpen();
    Objects.requireNonNull(options, "options");
    return new DbSstWriter(ctx, options);
  }

  /**
   * Publishes tables built by {@link SstWriter}s atomically, as one new version, in handle order.
   * The {@code commitToken} (for example a Flink job id and checkpoint id) is required: committing
   * a token that is already committed (among the last 4096) does nothing and returns the earlier
   * version, so a retry never adds the same tables twice. Uses the writer role: through the writer
   * opened from this database if there is one (after flushing it), otherwise by claiming the role
   * (which fences other writers of the prefix; a replay of a committed token does not).
   *
   * @throws IsleException of kind INVALID_ARGUMENT without a token, for an empty list, or for a
   *     handle whose lease field does not name an object under {@code manifest/leases/}
   */
  public synchronized CommitResult commit(List<SstHandle> handles, String commitToken) {
    checkOpen();
    ExternalCommit.checkArguments(handles, commitToken);
    if (writer != null && !writer.isClosed()) {
      return writer.commitExternal(handles, commitToken);
    }
    if (committer == null) {
      // A replayed commit returns its earlier version without claiming the role (a fence).
      Optional<CommitResult> earlier = ExternalCommit.alreadyCommitted(ctx, commitToken);
      if (earlier.isPresent()) {
        return earlier.get();
      }
      ManifestAppender a = ctx.appender(Role.WRITER, "committer-" + ctx.newId());
      a.fence();
      committer = a;
    }
    try {
      return ExternalCommit.commit(ctx, committer, handles, commitToken);
    } catch (FencedException e) {
      committer = null;
      throw e;
    }
  }

  /** Opens a reader with this database's options. */
  public synchronized Reader openReader(ReaderOptions options) {
    checkOpen();
    Objects.requireNonNull(options, "options");
    ctx.checkReaderSettings();
    return track(new DbReader(ctx, options));
  }

  /** Opens a tailing reader with this database's options. */
  public synchronized TailingReader openTailingReader(TailingReaderOptions options) {
    checkOpen();
    Objects.requireNonNull(options, "options");
    ctx.checkReaderSettings();
    return track(new DbTailingReader(ctx, options));
  }

  /** Opens the merge compactor, fencing any earlier compactor of this prefix. */
  public synchronized Compactor openCompactor(CompactorOptions options) {
    checkOpen();
    Objects.requireNonNull(options, "options");
    return track(new DbCompactor(ctx, options));
  }

  /** Opens the retention compactor, fencing any earlier one of this prefix. */
  public synchronized RetentionCompactor openRetentionCompactor(RetentionCompactorOptions options) {
    checkOpen();
    Objects.requireNonNull(options, "options");
    return track(new DbRetentionCompactor(ctx, options));
  }

  /** Opens the garbage collector, fencing any earlier one of this prefix. */
  public synchronized GarbageCollector openGarbageCollector(GcOptions options) {
    checkOpen();
    Objects.requireNonNull(options, "options");
    return track(new DbGarbageCollector(ctx, options));
  }

  /**
   * Pins {@code version} under {@code name} (replacing an earlier pin of that name): until {@link
   * #unpin}, {@link Reader#openVersion} can open that version and GC keeps the tables and blobs it
   * references. Nothing else is held back: versions after it are collected as usual, so a pin held
   * for a long time costs only the data of its own version (a checkpoint, a consistent export). The
   * pin object carries the version's manifest state (about the size of a snapshot). The version
   * must be the newest one, or (by the store's own timestamps) superseded less than the grace
   * period ago or written less than the log retention ago; no two machines' clocks are compared
   * (docs/PROTOCOL.md, "When a pin is accepted"). A refused pin leaves the earlier pin of that name
   * in place.
   *
   * @throws IsleException of kind INVALID_ARGUMENT for a bad name or a version that does not exist
   *     or is too old to pin
   */
  public void pin(String name, long version) {
    checkOpen();
    Pins.pin(ctx, name, version, false);
  }

  /**
   * Pins the history from {@code version} on under {@code name}: until {@link #unpin}, GC keeps
   * every version after it openable and every log edit after it, so a {@link TailingReader} can
   * resume from any position after {@code version}. Unlike {@link #pin}, this holds back the
   * collection of everything written since, so storage grows for as long as it is held: use it for
   * consumers that replay the log, and move it forward as they progress. Same limits as {@link
   * #pin}.
   */
  public void pinHistory(String name, long version) {
    checkOpen();
    Pins.pin(ctx, name, version, true);
  }

  /** Removes a pin; removing a missing pin does nothing. */
  public void unpin(String name) {
    checkOpen();
    Pins.unpin(ctx, name);
  }

  /** All pins, of both kinds: name to version. */
  public Map<String, Long> pins() {
    checkOpen();
    return Pins.list(ctx);
  }

  /** The newest published version (one cold manifest load). */
  public long currentVersion() {
    checkOpen();
    return ctx.manifest().loadLatest().seq();
  }

  /** The store this database lives in. */
  public ObjectStore store() {
    return ctx.store();
  }

  /** The options it was opened with. */
  public DBOptions options() {
    return ctx.options();
  }

  private <T extends io.isledb.db.Resource> T track(T c) {
    // Forget what the caller closed already, so a long-lived database does not accumulate them.
    children.removeIf(io.isledb.db.Resource::isClosed);
    children.add(c);
    return c;
  }

  private void checkOpen() {
    if (closed) {
      throw IsleException.closed("database " + ctx.store().location());
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException first = null;
    for (int i = children.size() - 1; i >= 0; i--) {
      try {
        children.get(i).close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    children.clear();
    if (first != null) {
      throw first;
    }
  }
}
