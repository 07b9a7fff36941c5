package io.isledb.db.engine;

import io.isledb.CommitMark;
import io.isledb.CommitResult;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.FencedException;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.IsleResources;
import io.isledb.ObjectStore;
import io.isledb.PinInfo;
import io.isledb.PinOptions;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RetentionCompactor;
import io.isledb.RetentionCompactorOptions;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.db.DbContext;
import io.isledb.db.Pins;
import io.isledb.db.Resource;
import io.isledb.db.compaction.DbCompactor;
import io.isledb.db.compaction.DbRetentionCompactor;
import io.isledb.db.gc.DbGarbageCollector;
import io.isledb.db.read.DbReader;
import io.isledb.db.tail.DbTailingReader;
import io.isledb.db.write.DbSstWriter;
import io.isledb.db.write.DbWriter;
import io.isledb.db.write.ExternalCommit;
import io.isledb.manifest.ManifestAppender;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.Role;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The implementation of {@link IsleDB}: wires the roles of the write, read, tail, compaction and GC
 * packages to one {@link DbContext} and closes what it opened. Public only for {@link IsleDB}'s
 * static factories.
 */
@Internal
public final class Database implements IsleDB {
  private final DbContext ctx;
  private final List<Resource> children = new ArrayList<>();
  private DbWriter writer;
  private ManifestAppender committer;
  private boolean closed;

  private Database(DbContext ctx) {
    this.ctx = ctx;
  }

  /** The implementation of {@link IsleDB#open}. */
  public static IsleDB open(ObjectStore store, DBOptions options) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(options, "options");
    return new Database(new DbContext(store, options));
  }

  /**
   * Opens the database of {@code ctx} as it is (its manifest store included): for tests that give a
   * database a manifest store of their own.
   */
  public static IsleDB open(DbContext ctx) {
    return new Database(Objects.requireNonNull(ctx, "ctx"));
  }

  /** The implementation of {@link IsleDB#open(ObjectStore, DBOptions, IsleResources)}. */
  public static IsleDB open(ObjectStore store, DBOptions options, IsleResources resources) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(options, "options");
    if (!(resources instanceof io.isledb.db.Resources r)) {
      throw IsleException.invalidArgument(
          "resources must come from IsleResources.create, got " + resources);
    }
    return new Database(new DbContext(store, options, r));
  }

  /** The implementation of {@link IsleDB#openReader}. */
  public static Reader openReader(ObjectStore store, ReaderOptions options) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(options, "options");
    return new DbReader(
        new DbContext(store, DBOptions.defaults()).withRecordedGracePeriod(), options, true);
  }

  /** The implementation of {@link IsleDB#openReader}. */
  public static Reader openReader(ObjectStore store, ReaderOptions options, DBOptions dbOptions) {
    Objects.requireNonNull(options, "options");
    DbContext ctx = new DbContext(store, dbOptions);
    try {
      ctx.checkReaderSettings();
      return new DbReader(ctx, options, true);
    } catch (RuntimeException e) {
      ctx.manifestStore().close(); // opened for this reader alone
      throw e;
    }
  }

  /** The implementation of {@link IsleDB#openTailingReader}. */
  public static TailingReader openTailingReader(ObjectStore store, TailingReaderOptions options) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(options, "options");
    return new DbTailingReader(
        new DbContext(store, DBOptions.defaults()).withRecordedGracePeriod(), options, true);
  }

  /** The implementation of {@link IsleDB#openTailingReader}. */
  public static TailingReader openTailingReader(
      ObjectStore store, TailingReaderOptions options, DBOptions dbOptions) {
    Objects.requireNonNull(options, "options");
    DbContext ctx = new DbContext(store, dbOptions);
    try {
      ctx.checkReaderSettings();
      return new DbTailingReader(ctx, options, true);
    } catch (RuntimeException e) {
      ctx.manifestStore().close(); // opened for this reader alone
      throw e;
    }
  }

  @Override
  public synchronized Writer openWriter(WriterOptions options) {
    checkOpen();
    Objects.requireNonNull(options, "options");
    writer = track(new DbWriter(ctx, options));
    committer = null;
    return writer;
  }

  @Override
  public synchronized Writer openWriterRestoredTo(WriterOptions options, String pinName) {
    checkOpen();
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(pinName, "pinName");
    writer = track(new DbWriter(ctx, options, pinName));
    committer = null;
    return writer;
  }

  @Override
  public SstWriter newSstWriter(SstWriterOptions options) {
    checkOpen();
    Objects.requireNonNull(options, "options");
    return new DbSstWriter(ctx, options);
  }

  @Override
  public synchronized CommitResult commit(List<SstHandle> handles, String commitToken) {
    checkOpen();
    ExternalCommit.checkArguments(handles, commitToken);
    return commit(handles, ExternalCommit.Request.token(commitToken));
  }

  @Override
  public synchronized CommitResult commit(
      List<SstHandle> handles, String commitUser, long identifier, Map<String, String> properties) {
    checkOpen();
    ExternalCommit.Request request =
        ExternalCommit.Request.user(commitUser, identifier, properties);
    ExternalCommit.checkArguments(handles, request);
    return commit(handles, request);
  }

  @Override
  public synchronized CommitResult removeCommitUser(String commitUser) {
    checkOpen();
    ExternalCommit.Request request = ExternalCommit.Request.removal(commitUser);
    ExternalCommit.checkArguments(List.of(), request);
    return commit(List.of(), request);
  }

  @Override
  public Optional<CommitMark> lastCommitted(String commitUser) {
    checkOpen();
    return ctx.manifest().loadLatest().commits().mark(commitUser);
  }

  private CommitResult commit(List<SstHandle> handles, ExternalCommit.Request request) {
    if (writer != null && !writer.isClosed()) {
      return writer.commitExternal(handles, request);
    }
    if (committer == null) {
      // A replayed commit returns its earlier version without claiming the role (a fence).
      Optional<CommitResult> earlier = ExternalCommit.alreadyCommitted(ctx, request);
      if (earlier.isPresent()) {
        return earlier.get();
      }
      ManifestAppender a = ctx.appender(Role.WRITER, "committer-" + ctx.newId());
      a.fence();
      committer = a;
    }
    try {
      return ExternalCommit.commit(ctx, committer, handles, request);
    } catch (FencedException e) {
      committer = null;
      throw e;
    }
  }

  @Override
  public Reader openReader(ReaderOptions options) {
    return openRole(options, true, DbReader::new);
  }

  @Override
  public Reader openReaderAtPin(String pinName, ReaderOptions options) {
    return openRole(
        options, true, (c, o) -> new DbReader(c, o, false, Pins.versionPinState(c, pinName)));
  }

  @Override
  public TailingReader openTailingReader(TailingReaderOptions options) {
    return openRole(options, true, DbTailingReader::new);
  }

  @Override
  public Compactor openCompactor(CompactorOptions options) {
    return openRole(options, false, DbCompactor::new);
  }

  @Override
  public RetentionCompactor openRetentionCompactor(RetentionCompactorOptions options) {
    return openRole(options, false, DbRetentionCompactor::new);
  }

  @Override
  public GarbageCollector openGarbageCollector(GcOptions options) {
    return openRole(options, false, DbGarbageCollector::new);
  }

  @Override
  public void pin(String name, long version) {
    checkOpen();
    Pins.pin(ctx, name, version, false, PinOptions.defaults());
  }

  @Override
  public void pinHistory(String name, long version) {
    checkOpen();
    Pins.pin(ctx, name, version, true, PinOptions.defaults());
  }

  @Override
  public void pin(String name, long version, PinOptions options) {
    checkOpen();
    Objects.requireNonNull(options, "options");
    Pins.pin(ctx, name, version, false, options);
  }

  @Override
  public void pinHistory(String name, long version, PinOptions options) {
    checkOpen();
    Objects.requireNonNull(options, "options");
    Pins.pin(ctx, name, version, true, options);
  }

  @Override
  public List<PinInfo> pinInfos() {
    checkOpen();
    return Pins.infos(ctx);
  }

  @Override
  public List<PinInfo> pinInfos(String namePrefix) {
    checkOpen();
    Objects.requireNonNull(namePrefix, "namePrefix");
    return Pins.infos(ctx.manifestStore(), namePrefix);
  }

  @Override
  public void unpin(String name) {
    checkOpen();
    Pins.unpin(ctx, name);
  }

  @Override
  public Map<String, Long> pins() {
    checkOpen();
    return Pins.list(ctx);
  }

  @Override
  public long retire() {
    checkOpen();
    return ctx.appender(io.isledb.manifest.Role.RETIRED, "retire-" + ctx.newId()).retire();
  }

  @Override
  public long currentVersion() {
    checkOpen();
    return ctx.manifest().loadLatest().seq();
  }

  @Override
  public boolean holdsManifest() {
    checkOpen();
    return !ctx.manifestStore().list(ManifestPaths.MANIFEST_DIR).isEmpty();
  }

  @Override
  public ObjectStore store() {
    return ctx.store();
  }

  @Override
  public DBOptions options() {
    return ctx.options();
  }

  /**
   * Opens and tracks one role: the database must be open, the options present, and a reading role
   * first checks the recorded settings.
   */
  private synchronized <O, T extends Resource> T openRole(
      O options, boolean reads, BiFunction<DbContext, O, T> open) {
    checkOpen();
    Objects.requireNonNull(options, "options");
    if (reads) {
      ctx.checkReaderSettings();
    }
    return track(open.apply(ctx, options));
  }

  private <T extends Resource> T track(T c) {
    // Forget what the caller closed already, so a long-lived database does not accumulate them.
    children.removeIf(Resource::isClosed);
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
    try {
      ctx.manifestStore().close(); // a JDBC manifest store's connections
    } catch (RuntimeException e) {
      if (first == null) {
        first = e;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
