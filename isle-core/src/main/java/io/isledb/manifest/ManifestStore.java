package io.isledb.manifest;

import io.isledb.ObjectInfo;
import io.isledb.RequestStats;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where one database keeps its manifest: everything FORMAT.md places under {@code manifest/} (the
 * commit log, snapshots, CURRENT, settings, pins, leases, GC state). Tables and blobs never go
 * through it; they stay on the database's {@link io.isledb.ObjectStore}. Every engine role reaches
 * manifest objects only through this interface (ManifestIsolationTest proves it), so a store other
 * than the object store (a database table, docs/PROTOCOL.md section 10) implements only this.
 *
 * <p>Entries are named by their FORMAT.md object names relative to the database prefix ({@link
 * ManifestPaths}, {@link Lease#objectName}), whatever the store keeps them in: a row store maps
 * {@code manifest/log/<20-digit seq>.json} to its log row of that sequence and every other name to
 * a document row. Bytes are stored and returned exactly as given (the codecs own the format). Log
 * entries are created only by {@link #appendIfAbsent}; everything else in the namespace by {@link
 * #put} or {@link #createIfAbsent}.
 *
 * <p>What every implementation must guarantee (the engine's correctness rests on these alone):
 *
 * <ul>
 *   <li><b>Atomic create-if-absent</b> ({@link #appendIfAbsent}, {@link #createIfAbsent}): of any
 *       number of concurrent creates of one name, from any number of processes, exactly one
 *       succeeds and its bytes are what every later read returns until the entry is deleted. A
 *       create whose response was lost is retried by the store with the same bytes, and a retry
 *       that finds its own bytes in place reports success (compare the bytes; never report such a
 *       create as a lost race, and never succeed over different bytes).
 *   <li><b>Read-after-write</b>: once a create, put or delete has returned, every read, stat and
 *       list of any process sees it (strong consistency, as S3 and a single SQL primary give).
 *   <li><b>No partial entries</b>: a read returns a whole entry or nothing. The one exception is an
 *       empty (zero-byte) entry, which counts as not written yet (ABFS claims a name at create and
 *       commits its bytes at close); readers treat it as absent.
 *   <li><b>One clock per store</b>: {@link ObjectInfo#lastModifiedMillis()} of every entry comes
 *       from one clock (the store's, never the caller's), so differences of two of them measure
 *       time; the engine compares them only with each other (pins, GC), at up to one second of
 *       truncation.
 * </ul>
 *
 * Errors are {@link io.isledb.IsleException}s: UNAVAILABLE for a failure that may succeed if
 * retried (connection loss, timeouts), INVALID_ARGUMENT for a store that cannot be used (no atomic
 * create, read-only), CORRUPTION never (decoding is the caller's).
 */
@Internal
public interface ManifestStore extends AutoCloseable {

  /** Where this manifest lives, for messages (never carries credentials). */
  String location();

  /**
   * The database prefix under its base URI, as forks record it for their sources (see {@link
   * io.isledb.ObjectStore#prefix()}).
   *
   * @throws io.isledb.IsleException of kind INVALID_ARGUMENT if the store cannot name its prefix
   */
  String prefix();

  /**
   * The manifest of another database prefix under the same base (a fork's source): the fork writes
   * and removes its pins there. Shares this store's connections and request counters.
   *
   * @throws io.isledb.IsleException of kind INVALID_ARGUMENT for a bad prefix, or a store that
   *     cannot open other prefixes
   */
  ManifestStore sibling(String prefix);

  /**
   * Requests issued so far. The object-store implementation counts on its object store's counters
   * (tables and manifest together, as before the interface existed).
   */
  RequestStats stats();

  /**
   * Verifies once per store, before a process takes a writing role, that create-if-absent really is
   * atomic here (the S3A probe of {@link io.isledb.ObjectStore#checkAtomicCreate()}).
   *
   * @throws io.isledb.IsleException of kind INVALID_ARGUMENT if it is not, UNAVAILABLE if the check
   *     could not run
   */
  void checkAtomicCreate();

  // ---- the commit log ----

  /**
   * Creates log entry {@code seq} with {@code edit} if no entry of that sequence exists, atomically
   * (see the class comment): true if the slot now holds exactly these bytes, including when an
   * earlier attempt of this call landed and its response was lost; false if it holds another edit.
   * Sequences start at 1 and the engine appends them in order, but a store must not rely on that (a
   * fencing author may race for any free slot).
   */
  boolean appendIfAbsent(long seq, byte[] edit);

  /** The log entry {@code seq}, or empty if that slot is free or was deleted (collected). */
  Optional<byte[]> readLog(long seq);

  /**
   * The consecutive log entries from {@code fromSeq} on, at most {@code max}, stopping before the
   * first free (or empty) slot. A reader that is up to date pays one read (the free slot); a store
   * that can read a range in one request should override this. The result is a snapshot of each
   * entry at some moment during the call (entries are immutable once created).
   */
  default List<byte[]> readLogRange(long fromSeq, int max) {
    return readLogOneByOne(this, fromSeq, max);
  }

  /**
   * {@link #readLogRange}'s default: {@code store}'s entries read one {@link #readLog} at a time,
   * for decorators that must see each read (their superclass may forward the range instead).
   */
  static List<byte[]> readLogOneByOne(ManifestStore store, long fromSeq, int max) {
    List<byte[]> out = new ArrayList<>();
    for (long seq = fromSeq; out.size() < max; seq++) {
      Optional<byte[]> e = store.readLog(seq);
      if (e.isEmpty() || e.get().length == 0) {
        break;
      }
      out.add(e.get());
    }
    return out;
  }

  // ---- named entries: snapshots, CURRENT, settings, pins, leases, GC state (and log names) ----

  /**
   * The entry named {@code name} ({@code manifest/...}), or empty. For a log name, the same as
   * {@link #readLog}.
   */
  Optional<byte[]> get(String name);

  /**
   * Creates or replaces {@code name} (CURRENT, pins, leases, GC state): atomic per entry (a reader
   * sees the old or the new bytes), last writer wins. Never used for log entries.
   */
  void put(String name, byte[] data);

  /**
   * Creates {@code name} unless it exists, atomically, with the lost-response rule of {@link
   * #appendIfAbsent} (snapshots, settings, a fork's pin on its source): true if it now holds these
   * bytes.
   */
  boolean createIfAbsent(String name, byte[] data);

  /** Size and last modification (the store's clock) of {@code name}, or empty if absent. */
  Optional<ObjectInfo> stat(String name);

  /**
   * Every entry whose name starts with {@code namePrefix} (a {@code manifest/...} directory such as
   * {@link ManifestPaths#LOG_DIR}, {@link ManifestPaths#PINS_DIR}, {@link Lease#DIR}, or {@code
   * manifest/} for all), sorted by name (so log and snapshot entries by sequence), with their sizes
   * and modification times. Reflects every create and delete that returned before the call.
   */
  List<ObjectInfo> list(String namePrefix);

  /** Deletes {@code name}; deleting an absent entry is not an error. */
  void delete(String name);

  /**
   * Deletes every named entry (log entries, snapshots and leases in one GC pass, or a retired
   * database's whole manifest but its last snapshot), in one request where the store allows. Absent
   * names are ignored. Not atomic as a whole: a failure may leave any subset deleted, and the
   * caller retries.
   */
  void deleteAll(Collection<String> names);

  /**
   * Deletes temporary files of staged writes under {@code manifest/} idle since before {@code
   * olderThanMillis} (the store's clock); returns how many. Stores without temporaries return 0.
   */
  int deleteAbandonedTemporaries(long olderThanMillis);

  /**
   * Releases what the store holds (a JDBC store's connections); the store is unusable afterwards.
   * Whoever opened the store closes it (the database, reader or tailing reader that opened it from
   * its options); a {@link #sibling} shares its opener's resources and closes nothing. A no-op for
   * the object-store manifest, whose object store belongs to the caller.
   */
  @Override
  default void close() {}

  /**
   * Whether the manifest lives outside the database's object store, with a clock of its own
   * (docs/PROTOCOL.md section 10, guarantee 5): GC then stamps its sweep of abandoned temporaries
   * with a witness written to the object store instead of a manifest entry's time.
   */
  default boolean hasOwnClock() {
    return false;
  }
}
