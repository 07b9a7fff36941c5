package io.isledb;

import java.util.Collection;
import java.util.Iterator;
import java.util.Optional;

/**
 * The narrow storage interface every IsleDB component goes through: one database lives under one
 * prefix of one bucket, container or directory, and every object name passed here is relative to
 * that prefix ({@code "manifest/log/00000000000000000001.json"}, {@code "sstable/a1f/....sst"}).
 *
 * <p>Names are '/'-separated segments of {@code [A-Za-z0-9._=-]}; empty segments, {@code "."},
 * {@code ".."} and segments starting with {@code '.'} are rejected, so nothing can escape the
 * prefix.
 *
 * <p>Every request is counted by kind and bytes; see {@link #stats()}. Storage failures surface as
 * {@link IsleException} of kind {@link IsleException.Kind#UNAVAILABLE}; a missing object is never
 * an exception for reads (they return {@link Optional#empty()}).
 *
 * <p>Open one with {@link IsleDB#openStore(String, String)}; implementations are thread-safe.
 */
public interface ObjectStore extends AutoCloseable {

  /** The URI of the database root (base URI plus prefix), for messages and logs. */
  String location();

  /**
   * The whole object, or empty if it does not exist. On S3 this is a metadata request plus the read
   * (a missing object costs the metadata request only); use {@link #getRange(String, long, long,
   * int)} when the size is known.
   */
  Optional<byte[]> get(String name);

  /**
   * Bytes {@code [offset, min(offset + length, size))} of the object, or empty if it does not
   * exist. An offset at or past the end yields an empty array. May cost one metadata request on top
   * of the read on some schemes; use {@link #getRange(String, long, long, int)} when the size is
   * known.
   */
  Optional<byte[]> getRange(String name, long offset, int length);

  /**
   * Like {@link #getRange(String, long, int)} for an object whose size the caller already knows
   * (from a manifest): exactly one read request, and only the requested bytes are transferred. The
   * result is clipped at {@code objectSize}. When there is nothing to read ({@code offset >=
   * objectSize} or {@code length == 0}) the one request is a metadata request, so that a missing
   * object still reads as empty.
   */
  Optional<byte[]> getRange(String name, long objectSize, long offset, int length);

  /**
   * Writes the whole object, replacing any existing one. Readers see all of it or nothing (on
   * schemes without an atomic replace, a reader may briefly see no object while it is replaced; see
   * {@code docs/isle-core.md}).
   */
  void put(String name, byte[] data);

  /**
   * Creates the object only if no object of that name exists, atomically: of any number of
   * concurrent callers (threads, processes, machines) exactly one returns {@code true}.
   *
   * <p>If the write landed but its response was lost and a retry then saw the object, the existing
   * content is read back and compared: equal content counts as this call's own write and returns
   * {@code true}. Callers that must tell two writers apart make their content unique.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if the scheme has no known-atomic primitive and
   *     the unsafe mode was not explicitly enabled
   */
  boolean createIfAbsent(String name, byte[] data);

  /**
   * Starts a streaming upload of one object; memory stays bounded whatever its size. The object
   * becomes visible, whole, only when {@link ObjectUpload#complete()} returns, replacing any
   * existing one like {@link #put}; closing without completing abandons it and leaves any existing
   * object of that name untouched.
   */
  ObjectUpload startUpload(String name);

  /** Size and modification time, or empty if the object does not exist. */
  Optional<ObjectInfo> stat(String name);

  /**
   * All objects whose names start with {@code namePrefix} (which may be empty), in ascending byte
   * order of their names. Pages are fetched lazily (1000 names per request on S3), so a caller that
   * stops early pays only for what it read (plus, on S3A, the one page it prefetches).
   */
  Iterator<ObjectInfo> list(String namePrefix);

  /**
   * Deletes the hidden temporary files that interrupted writes left under {@code namePrefix} and
   * that were last modified before {@code olderThanMillis} (epoch milliseconds); returns how many
   * it deleted. Schemes whose writes are staged in a temporary file and then published ({@code
   * file://}, ABFS and other rename-based schemes) leave such a file behind when the writing
   * process dies in between. {@link #list} never shows them, so garbage collection reclaims them
   * through this call, with its grace period: a live write keeps modifying its file, and if a slow
   * one loses it anyway, its publication fails and is retried, never half-visible. Stores that
   * never stage writes (S3A, the in-memory store) have nothing to do: the default returns 0 without
   * a request.
   */
  default int deleteAbandonedTemporaries(String namePrefix, long olderThanMillis) {
    return 0;
  }

  /** Deletes the object; deleting a missing object succeeds. */
  void delete(String name);

  /** Deletes many objects, in bulk requests where the scheme supports them. Missing ones are ok. */
  void deleteAll(Collection<String> names);

  /**
   * Whether {@link #createIfAbsent} is truly atomic on this scheme (as opposed to refused, or
   * allowed only through the explicit unsafe opt-in).
   */
  boolean hasAtomicCreateIfAbsent();

  /**
   * Verifies that {@link #createIfAbsent} really is atomic on this store, before a process takes a
   * writing role (IsleDB calls it when a writer, committer, compactor or garbage collector starts;
   * readers do not need it). The check runs at most once per store instance; later calls return at
   * once. Stores whose primitive is atomic by construction ({@code file://}, ABFS, the in-memory
   * store) do nothing; on S3A, where a server that ignores {@code If-None-Match} makes conditional
   * creates silently non-atomic, it creates a probe object twice and requires the second create to
   * lose (2 PUTs and 1 DELETE, see {@code docs/isle-core.md}).
   *
   * @throws IsleException of kind INVALID_ARGUMENT if the store is shown not to honour conditional
   *     creates, or of kind UNAVAILABLE if the check could not run (it is tried again next time)
   */
  default void checkAtomicCreate() {}

  /**
   * The database prefix of this store under its base URI (as given to {@link
   * IsleDB#openStore(String, String)}, without a trailing '/'). Forks record it as the home of the
   * tables they borrow (docs/PROTOCOL.md section 9).
   *
   * @throws IsleException of kind INVALID_ARGUMENT if this store cannot name its prefix
   */
  default String prefix() {
    throw IsleException.invalidArgument(
        "the store " + location() + " does not support forks (it cannot name its prefix)");
  }

  /**
   * The store of another database prefix under the same base URI, sharing this store's connections,
   * request counters ({@link #stats()} counts both) and lifetime: closing it does nothing, closing
   * this store closes it. Forks read borrowed tables through it.
   *
   * @throws IsleException of kind INVALID_ARGUMENT for a bad prefix, or if this store cannot open
   *     other prefixes
   */
  default ObjectStore sibling(String prefix) {
    throw IsleException.invalidArgument(
        "the store "
            + location()
            + " does not support forks (it cannot open prefix "
            + prefix
            + ")");
  }

  /** Counts of requests issued through this store so far, by kind, with bytes moved. */
  RequestStats stats();

  /** Releases the underlying FileSystem resources. */
  @Override
  void close();
}
