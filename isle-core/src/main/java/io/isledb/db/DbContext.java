package io.isledb.db;

import io.isledb.DBOptions;
import io.isledb.ObjectStore;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestStore;
import io.isledb.manifest.ManifestStores;
import io.isledb.util.Internal;
import java.time.Clock;

/**
 * What every component of one open database shares.
 *
 * @param settings the check of the database's recorded settings, done once per context
 * @param resources threads, caches and memtable budget: private to this context, or shared
 */
@Internal
public record DbContext(
    ObjectStore store,
    Manifest manifest,
    DBOptions options,
    DatabaseSettings settings,
    Resources resources) {
  /** The context of the database on {@code store}, its manifest where {@code options} say. */
  public DbContext(ObjectStore store, DBOptions options) {
    this(store, manifestOf(store, options), options, new DatabaseSettings());
  }

  public DbContext(ObjectStore store, DBOptions options, Resources resources) {
    this(store, manifestOf(store, options), options, new DatabaseSettings(), resources);
  }

  private static Manifest manifestOf(ObjectStore store, DBOptions options) {
    return new Manifest(ManifestStores.open(store, options.manifestStore()));
  }

  public DbContext(
      ObjectStore store, Manifest manifest, DBOptions options, DatabaseSettings settings) {
    this(store, manifest, options, settings, new PrivateResources());
  }

  /**
   * Where this database's manifest lives: every manifest object (log, snapshots, CURRENT, settings,
   * pins, leases, GC state) is read and written through it, never through {@link #store()}, which
   * holds tables and blobs.
   */
  public ManifestStore manifestStore() {
    return manifest.store();
  }

  /** The commit notifications of this database in this JVM. */
  public CommitSignal commitSignal() {
    return resources.commitSignal(store);
  }

  public DbContext(ObjectStore store, Manifest manifest, DBOptions options) {
    this(store, manifest, options, new DatabaseSettings());
  }

  /**
   * Refuses a reader whose grace period is not the one the database records (one GET, the first
   * time per context; nothing once confirmed). See {@link DatabaseSettings}.
   */
  public void checkReaderSettings() {
    settings.checkReader(this);
  }

  /**
   * This context with the grace period the database records, if any, in place of its own: for
   * readers opened without {@code DBOptions}, which did not choose one. One GET.
   */
  public DbContext withRecordedGracePeriod() {
    return DatabaseSettings.adopt(this);
  }

  public Clock clock() {
    return options.clock();
  }

  /**
   * An appender for {@code role} starting at the newest version (not fenced yet). The version is
   * found by listing snapshots, not through CURRENT: the appender takes its head as confirmed, and
   * a CURRENT that moved backwards to a snapshot that still exists (a rewrite that landed late)
   * would start it at a stale version whose next slot GC already collected; its fence would land
   * there, where nobody reads. Costs a LIST where a cold open through CURRENT costs a GET. Every
   * writing role gets one, so this is also where the store's create-if-absent is verified (once per
   * store).
   */
  public io.isledb.manifest.ManifestAppender appender(io.isledb.manifest.Role role, String author) {
    // Before anything is written: an author with another grace period than GC's could commit
    // uploads GC has already deleted (DatabaseSettings).
    // Only manifest entries are created if absent (tables and blobs have unique names): the
    // manifest store's create is the one that must be atomic.
    manifest.store().checkAtomicCreate();
    // Read while the manifest loads (nothing is recorded before the check below decides).
    var settingsRead = settings.startRead(this);
    io.isledb.manifest.Manifest.Listed listed = manifest.loadLatestListedFromSnapshot();
    io.isledb.manifest.ManifestState head = listed.state();
    if (!head.retired() || role == io.isledb.manifest.Role.GC) {
      // On a retired database every other role is refused by the appender; it must not record
      // the settings anew while GC deletes the prefix (PROTOCOL.md section 9, "Retired sources").
      settings.checkAuthor(this, author, settingsRead);
    }
    return new io.isledb.manifest.ManifestAppender(
        manifest,
        role,
        author,
        options.clock(),
        head,
        listed.snapshotSeq(),
        options.snapshotEvery(),
        options.lsnExtractor() != null,
        options.gcGracePeriod().toMillis() / 2);
  }

  /**
   * The context of another database prefix under the same base (a fork's source), with this
   * context's options: its tables through {@link ObjectStore#sibling}, its manifest through {@link
   * ManifestStore#sibling}.
   */
  public DbContext sibling(String prefix) {
    return new DbContext(
        store.sibling(prefix), new Manifest(manifest.store().sibling(prefix)), options);
  }

  /** A new unique id. */
  public String newId() {
    return Ids.next(options.idSource());
  }
}
