package io.isledb;

import io.isledb.db.engine.Database;
import java.util.List;
import java.util.Map;
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
public interface IsleDB extends AutoCloseable {
  /**
   * Opens the storage of the database prefix {@code prefix} under {@code uri} ({@code
   * file:///abs/dir}, {@code s3a://bucket}, {@code abfs://container@account.dfs.core.windows.net},
   * {@code gs://bucket}, or any other Hadoop FileSystem URI). The caller closes it.
   */
  static ObjectStore openStore(String uri, String prefix) {
    return openStore(uri, prefix, Map.of());
  }

  /**
   * Like {@link #openStore(String, String)}, with extra Hadoop configuration (credentials,
   * endpoints, and IsleDB's own {@code isledb.storage.*} keys documented in {@code
   * docs/isle-core.md}).
   */
  static ObjectStore openStore(String uri, String prefix, Map<String, String> hadoopConf) {
    return io.isledb.storage.ObjectStores.open(uri, prefix, hadoopConf);
  }

  /**
   * Opens the database stored under {@code store}'s prefix. Reads nothing yet. The first role
   * opened (writer, reader, maintenance role, commit) checks, with one GET, that {@code
   * options.gcGracePeriod()} is the grace period the database records in {@code
   * manifest/settings.json}, and is refused with INVALID_ARGUMENT otherwise; the first author of a
   * database that records none records its own (docs/PROTOCOL.md, "Shared settings").
   */
  static IsleDB open(ObjectStore store, DBOptions options) {
    return Database.open(store, options);
  }

  /**
   * Like {@link #open(ObjectStore, DBOptions)}, with the threads, caches and memtable budget of
   * {@code resources}, shared with every other database opened with it (see {@link IsleResources}).
   * Close the database before {@code resources}.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if {@code resources} was not made by {@link
   *     IsleResources#create}
   */
  static IsleDB open(ObjectStore store, DBOptions options, IsleResources resources) {
    return Database.open(store, options, resources);
  }

  /**
   * Opens a reader with default database options, except the GC grace period, which is the one the
   * database records ({@code manifest/settings.json}; the default if it records none).
   */
  static Reader openReader(ObjectStore store, ReaderOptions options) {
    return Database.openReader(store, options);
  }

  /**
   * Like {@link #openReader(ObjectStore, ReaderOptions)} (the grace period the database records),
   * with the database's manifest where {@code manifest} says: for tools that only read and do not
   * know the database's options.
   */
  static Reader openReader(ObjectStore store, ReaderOptions options, ManifestStoreConfig manifest) {
    return io.isledb.db.engine.StandaloneReaders.openReader(store, options, manifest);
  }

  /**
   * Opens a reader.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if {@code dbOptions.gcGracePeriod()} is not the
   *     one the database records
   */
  static Reader openReader(ObjectStore store, ReaderOptions options, DBOptions dbOptions) {
    return Database.openReader(store, options, dbOptions);
  }

  /**
   * Opens a tailing reader with default database options, except the GC grace period, which is the
   * one the database records (the default if it records none).
   */
  static TailingReader openTailingReader(ObjectStore store, TailingReaderOptions options) {
    return Database.openTailingReader(store, options);
  }

  /**
   * Like {@link #openTailingReader(ObjectStore, TailingReaderOptions)} (the grace period the
   * database records), with the database's manifest where {@code manifest} says.
   */
  static TailingReader openTailingReader(
      ObjectStore store, TailingReaderOptions options, ManifestStoreConfig manifest) {
    return io.isledb.db.engine.StandaloneReaders.openTailingReader(store, options, manifest);
  }

  /**
   * Opens a tailing reader.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if {@code dbOptions.gcGracePeriod()} is not the
   *     one the database records
   */
  static TailingReader openTailingReader(
      ObjectStore store, TailingReaderOptions options, DBOptions dbOptions) {
    return Database.openTailingReader(store, options, dbOptions);
  }

  /**
   * Creates a new database on {@code target} whose first version borrows the tables of {@code
   * sources} (other prefixes of the same store, each at a version, clipped to a key range; ranges
   * disjoint, each prefix once) without copying them: a zero-copy clone, branch or split
   * (docs/PROTOCOL.md section 9). The fork holds a version pin {@code fork-<id>} on each source
   * until its compaction has rewritten the borrowed tables into its own prefix and its GC released
   * them; a source's GC never deletes a table the fork references. Reads of the fork see exactly
   * the sources' keys inside their ranges (and nothing outside, whatever the tables hold); its
   * writer's writes shadow them. Cost: O(number of sources) small requests (a pin and a manifest
   * load per source, two creates on the fork); no table or blob is read.
   *
   * @return the fork's first version
   * @throws IsleException of kind INVALID_ARGUMENT if {@code target} holds a database with data,
   *     the ranges overlap, a prefix repeats, a source version cannot be pinned, or a source pin is
   *     missing, expired or a history pin; of kind UNAVAILABLE if the creation took longer than
   *     half the grace period (nothing is published; the sources' GC removes the pins)
   */
  static long fork(ObjectStore target, List<ForkSource> sources, DBOptions options) {
    return io.isledb.db.ForkCreation.create(target, sources, options);
  }

  /**
   * Forks version {@code version} of this database, whole, into the new database {@code
   * targetPrefix} of the same store: a zero-copy clone ({@link #fork}).
   *
   * @return the clone's first version
   */
  default long forkTo(String targetPrefix, long version) {
    return fork(
        store().sibling(targetPrefix),
        List.of(ForkSource.ofVersion(store().prefix(), version, null, null)),
        options());
  }

  /**
   * Splits version {@code version} of this database into {@code targetPrefixes.size()} new
   * databases of the same store, at the keys {@code boundaries} (ascending): database {@code i}
   * holds the keys in {@code [boundaries[i-1], boundaries[i])}, the first and last unbounded below
   * and above. Each is a {@link #fork} of this one; this database is unchanged.
   *
   * @return the first version of each new database, in order
   * @throws IsleException of kind INVALID_ARGUMENT unless there is one more prefix than boundaries
   *     and the boundaries ascend strictly
   */
  default List<Long> splitTo(long version, List<byte[]> boundaries, List<String> targetPrefixes) {
    if (boundaries == null
        || targetPrefixes == null
        || targetPrefixes.size() != boundaries.size() + 1) {
      throw IsleException.invalidArgument(
          "a split needs one more target prefix than boundaries, got "
              + (targetPrefixes == null ? 0 : targetPrefixes.size())
              + " prefixes and "
              + (boundaries == null ? 0 : boundaries.size())
              + " boundaries");
    }
    List<Long> out = new java.util.ArrayList<>();
    for (int i = 0; i < targetPrefixes.size(); i++) {
      byte[] from = i == 0 ? null : boundaries.get(i - 1);
      byte[] to = i == boundaries.size() ? null : boundaries.get(i);
      out.add(
          fork(
              store().sibling(targetPrefixes.get(i)),
              List.of(ForkSource.ofVersion(store().prefix(), version, from, to)),
              options()));
    }
    return out;
  }

  /** Opens the writer, fencing every earlier writer of this prefix (in any process). */
  Writer openWriter(WriterOptions options);

  /**
   * Opens the writer restored to the pin {@code pinName}: fences every earlier writer, then
   * publishes one new version (a {@code restore} edit, docs/FORMAT.md) whose tables, commit tokens,
   * commit users' marks and table properties are those of the pinned version. Everything published
   * after that version vanishes; sequence numbers keep increasing, so later writes shadow the
   * restored data. The rollback happens whole or not at all: after a crash, the database is at the
   * old head (open restored again) or at the restored version. A compaction racing with it is
   * refused; tailing readers reaching it fail with {@link RolledBackException}. The pin is kept;
   * remove it when no longer needed. Cost: one GET (the pin) and two creates (fence, restore); when
   * only fences follow the pinned version (nothing was committed after it), no restore edit is
   * needed: a GET per such fence (up to 8) instead of the second create.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if there is no such pin, it expired, or (for a
   *     history pin) its version is no longer readable; the message names the pin and version
   */
  Writer openWriterRestoredTo(WriterOptions options, String pinName);

  /** A new builder of external tables for {@link #commit}; any thread or process may use one. */
  SstWriter newSstWriter(SstWriterOptions options);

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
  CommitResult commit(List<SstHandle> handles, String commitToken);

  /**
   * Publishes tables built by {@link SstWriter}s atomically, as one new version, as commit {@code
   * identifier} of {@code commitUser}: the exactly-once commit of a Flink sink ({@code commitUser}
   * names the sink of a job, {@code identifier} is the checkpoint id). The database keeps, per
   * commit user, the highest identifier committed and the version that committed it ({@link
   * #lastCommitted}); a commit whose identifier is not above that mark appends nothing and returns
   * {@code CommitResult(mark version, duplicate = true)}, however many commits, compactions and GC
   * passes came since. The version returned for a replay is the exact version that committed {@code
   * identifier} when it is the mark; for a lower identifier it is the mark's version, which
   * contains the lower one's commit too (identifiers are committed in increasing order; a lower
   * identifier never committed is skipped for good). The check is part of the replay rule, made
   * against the state the edit lands on (docs/PROTOCOL.md, "Commit users"), so a retry after a lost
   * response or a lost race, in this or another process, never commits twice.
   *
   * <p>{@code handles} may be empty (a commit that records the identifier only). Uses the writer
   * role like {@link #commit(List, String)}; a replay without an open writer claims no role.
   *
   * @throws IsleException of kind INVALID_ARGUMENT for an empty commit user, one over 256 UTF-8
   *     bytes or with control characters, a negative identifier, a bad handle, or a new user beyond
   *     4096 users
   */
  default CommitResult commit(List<SstHandle> handles, String commitUser, long identifier) {
    return commit(handles, commitUser, identifier, Map.of());
  }

  /**
   * Like {@link #commit(List, String, long)}, and sets the table {@code properties} in the same
   * edit (replacing the values of keys already set; other keys stay): they become visible
   * atomically with the tables, in every {@link ReadView#properties()} of that version on. A
   * replayed commit sets nothing. Limits: keys 1 to 256 UTF-8 bytes, values up to 64 KiB, all
   * properties of the database together up to 256 KiB.
   *
   * @throws IsleException of kind INVALID_ARGUMENT naming the key and the limit exceeded
   */
  CommitResult commit(
      List<SstHandle> handles, String commitUser, long identifier, Map<String, String> properties);

  /**
   * The mark of {@code commitUser}: the highest identifier it committed and the version that did,
   * or empty if it never committed. Cost: one cold manifest load (a GET of CURRENT, of the snapshot
   * it names, and of each log edit after it up to the first free slot: at most {@code snapshotEvery
   * + 1}); no LIST unless CURRENT is missing or stale.
   */
  Optional<CommitMark> lastCommitted(String commitUser);

  /**
   * Removes the mark of {@code commitUser} (docs/PROTOCOL.md, "Removing commit users"): a database
   * keeps at most 4096 commit users, and a Flink sink creates one per job, so a long-lived table
   * removes the users of jobs that are gone for good. Appends one edit with the writer role
   * (through the open writer, after flushing it, or by claiming the role like {@link #commit(List,
   * String, long)}); if the user has no mark nothing is appended and no role is claimed.
   *
   * <p><b>Consequence:</b> the removal forgets which identifiers the user committed. Its next
   * commit starts a fresh mark: any identifier is accepted, so a replay of a commit made before the
   * removal would be applied again. Remove a user only when nothing will commit under it again (its
   * job finished or was cancelled and will not be restored from an earlier checkpoint); a new job
   * uses a new user. A rollback to a version from before the removal brings the mark back.
   *
   * @return the version of the removal, or {@code CommitResult(current version, duplicate = true)}
   *     if the user has no mark
   * @throws IsleException of kind INVALID_ARGUMENT for an empty commit user, one over 256 UTF-8
   *     bytes or with control characters
   */
  CommitResult removeCommitUser(String commitUser);

  /** Opens a reader with this database's options. */
  Reader openReader(ReaderOptions options);

  /**
   * Opens a reader whose current version is the one the version pin {@code pinName} holds, read
   * from the pin alone: one GET, no manifest load (a pin carries its version's state). For a
   * process that reads a pinned version once (a restore by fork reading a checkpoint's metadata):
   * {@code openReader} then {@link Reader#openVersion} would load the manifest twice, its head and
   * the version. {@link Reader#refresh} moves the reader on to the head (checking, at its first
   * refresh, whether the log after the pinned version was collected).
   *
   * @throws IsleException of kind INVALID_ARGUMENT if there is no such pin or it is a history pin
   */
  Reader openReaderAtPin(String pinName, ReaderOptions options);

  /** Opens a tailing reader with this database's options. */
  TailingReader openTailingReader(TailingReaderOptions options);

  /** Opens the merge compactor, fencing any earlier compactor of this prefix. */
  Compactor openCompactor(CompactorOptions options);

  /** Opens the retention compactor, fencing any earlier one of this prefix. */
  RetentionCompactor openRetentionCompactor(RetentionCompactorOptions options);

  /** Opens the garbage collector, fencing any earlier one of this prefix. */
  GarbageCollector openGarbageCollector(GcOptions options);

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
  void pin(String name, long version);

  /**
   * Like {@link #pin(String, long)}, with an owner and an expiry: GC honours the pin until its own
   * clock is a grace period past {@code written + ttl} (the pinner's clock), then stops keeping the
   * version and deletes the pin (docs/PROTOCOL.md section 7, "Pin expiry"). Renew it by pinning
   * again under the same name before it expires.
   */
  void pin(String name, long version, PinOptions options);

  /** Like {@link #pinHistory(String, long)}, with an owner and an expiry as {@link #pin}. */
  void pinHistory(String name, long version, PinOptions options);

  /**
   * Pins the history from {@code version} on under {@code name}: until {@link #unpin}, GC keeps
   * every version after it openable and every log edit after it, so a {@link TailingReader} can
   * resume from any position after {@code version}. Unlike {@link #pin}, this holds back the
   * collection of everything written since, so storage grows for as long as it is held: use it for
   * consumers that replay the log, and move it forward as they progress. Same limits as {@link
   * #pin}, except that moving a history pin forward (replacing an unexpired history pin of the same
   * name at or below {@code version}, or renewing it at the same version) is accepted however long
   * ago {@code version} was superseded: the pin it replaces kept everything this one needs
   * (docs/PROTOCOL.md, "Moving a history pin forward").
   */
  void pinHistory(String name, long version);

  /** Removes a pin; removing a missing pin does nothing. */
  void unpin(String name);

  /** All pins, of both kinds: name to version. */
  Map<String, Long> pins();

  /**
   * All pins with their kind, owner and expiry, by name (one LIST, one GET per pin). Expired pins
   * are listed until GC deletes them.
   */
  List<PinInfo> pinInfos();

  /**
   * Like {@link #pinInfos()}, only the pins whose names start with {@code namePrefix}: one LIST,
   * one GET per such pin (a fork's pins are named {@code fork-<id>}, docs/PROTOCOL.md section 9: a
   * look for forks reads no other pin).
   *
   * @throws IsleException of kind INVALID_ARGUMENT if {@code namePrefix} holds characters a pin
   *     name may not
   */
  List<PinInfo> pinInfos(String namePrefix);

  /**
   * Retires this database: appends a {@code retired} mark to its log (one create), after which no
   * edit is applied: every writer, committer, compactor and retention compactor of the prefix, open
   * or opened later, in any process, fails with {@link FencedException} (an open writer's unflushed
   * writes are lost), and no version from the retirement on can be pinned. Readers and existing
   * pins keep working. The GC of the prefix deletes it whole, every object, once it has seen it
   * retired with no pin (forks' pins included) and no lease for the larger of the grace period and
   * the log retention (docs/PROTOCOL.md section 9, "Retired sources"). Nothing else deletes a
   * database: an idle one is never retired by itself. Idempotent; irreversible.
   *
   * @return the version of the retirement (the current version if it was already retired)
   */
  long retire();

  /** The newest published version (one cold manifest load). */
  long currentVersion();

  /**
   * Whether the prefix holds a database: any entry in its manifest store (log, snapshots, CURRENT,
   * settings, pins, leases, GC state), wherever {@link DBOptions#manifestStore()} keeps it. False
   * before the first commit and once GC deleted a retired database. One listing; reads nothing
   * else.
   */
  boolean holdsManifest();

  /** The store this database lives in. */
  ObjectStore store();

  /** The options it was opened with. */
  DBOptions options();

  /** Closes every role opened from this database (not the store); idempotent. */
  @Override
  void close();
}
