package io.isledb.storage;

import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.ObjectUpload;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.statistics.IOStatistics;
import org.apache.hadoop.fs.statistics.IOStatisticsSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ObjectStore} over a Hadoop {@link org.apache.hadoop.fs.FileSystem}, opened by {@link
 * ObjectStores}. It reads, lists, stats and deletes the same way on every scheme, and sends every
 * write through the scheme's {@link WriteStrategy}, chosen once when the store is opened (see
 * {@code docs/isle-core.md}, "Storage"). Reads of known size and S3A listings skip S3A's HEAD/LIST
 * probes; deletes use the bulk-delete API.
 *
 * <p>Whenever a create fails in a way that could mean "the name is taken", the object is read back:
 * equal bytes mean this caller's own earlier attempt landed (a retried request whose response was
 * lost), so the call reports success. Credentials in the URI never appear in {@link #location()} or
 * in messages ({@link Redaction}).
 */
@SuppressWarnings("try") // HadoopLoader scopes are not referenced in their bodies
final class HadoopObjectStore implements ObjectStore {
  private static final Logger LOG = LoggerFactory.getLogger(HadoopObjectStore.class);

  /** Reads of an object that keeps being replaced while read are tried this many times. */
  private static final int CHANGED_WHILE_READING_ATTEMPTS = 8;

  private final StoreContext ctx;
  private final WriteStrategy writes;
  private final RequestCounters counters;

  /** Test hooks of this store. */
  final StoreHooks hooks;

  private final ObjectStores.Site site;
  private final String prefix;

  private final boolean isSibling; // shares, and does not own, the file system

  HadoopObjectStore(
      StoreContext ctx,
      WriteStrategy writes,
      ObjectStores.Site site,
      String prefix,
      boolean isSibling) {
    this.isSibling = isSibling;
    this.ctx = ctx;
    this.writes = writes;
    this.counters = ctx.counters();
    this.hooks = ctx.hooks();
    this.site = site;
    this.prefix = prefix;
  }

  @Override
  public String prefix() {
    return prefix;
  }

  /** Same connections, counters and lifetime; see {@link ObjectStores#sibling}. */
  @Override
  public ObjectStore sibling(String otherPrefix) {
    checkOpen();
    return ObjectStores.sibling(site, otherPrefix);
  }

  @Override
  public String location() {
    return ctx.location();
  }

  private void checkOpen() {
    ctx.checkOpen();
  }

  /** The store's context, for {@link RangedReads}. */
  StoreContext context() {
    return ctx;
  }

  /** Whether objects are local files ({@code file://}), which can stay open between reads. */
  boolean isLocal() {
    return writes instanceof LocalWrites;
  }

  /** The local file of object {@code name}; only for a {@linkplain #isLocal local} store. */
  java.nio.file.Path localPath(String name) {
    return ((LocalWrites) writes).localPath(name);
  }

  private IsleException failed(String op, String name, Exception e) {
    return ctx.failed(op, name, e);
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Optional<byte[]> get(String name) {
    try (HadoopLoader.Scope loader = HadoopLoader.enter()) {
      checkOpen();
      ObjectNames.checkName(name);
      return readRetryingChanges(
          RequestKind.GET,
          "get",
          name,
          "whole-file",
          in -> {
            byte[] data = in.readAllBytes();
            counters.read(data.length);
            return data;
          });
    }
  }

  @Override
  public Optional<byte[]> getRange(String name, long offset, int length) {
    try (HadoopLoader.Scope loader = HadoopLoader.enter()) {
      checkOpen();
      ObjectNames.checkName(name);
      ObjectRanges.checkRange(offset, length);
      return readRetryingChanges(
          RequestKind.GET_RANGE, "ranged get", name, "random", in -> readRange(in, offset, length));
    }
  }

  /** Reads a whole answer from an open stream. */
  @FunctionalInterface
  private interface StreamRead {
    byte[] read(FSDataInputStream in) throws IOException;
  }

  /**
   * Opens {@code name} (length unknown) and reads it with {@code body}; empty if it does not exist.
   * Reads again, after a short pause, while S3A reports the object replaced during the read (see
   * {@link #changedWhileReading}); any other failure is a storage failure of operation {@code
   * what}.
   */
  private Optional<byte[]> readRetryingChanges(
      RequestKind kind, String what, String name, String readPolicy, StreamRead body) {
    for (int attempt = 1; ; attempt++) {
      counters.count(kind);
      try (FSDataInputStream in = ctx.open(name, -1, readPolicy)) {
        return Optional.of(body.read(in));
      } catch (FileNotFoundException e) {
        return Optional.empty();
      } catch (IOException | RuntimeException e) {
        if (attempt < CHANGED_WHILE_READING_ATTEMPTS && changedWhileReading(e)) {
          backOffAfterChange(attempt);
          continue;
        }
        throw failed(what, name, e);
      }
    }
  }

  /** A short, growing, jittered pause, so a reader does not collide with a writer in lock-step. */
  private static void backOffAfterChange(int attempt) {
    long max = Math.min(200, 5L << attempt);
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, max + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Whether a read failed because the object was replaced while being read. S3A reads an object of
   * unknown length with a HEAD and then a GET conditional on the HEAD's etag; an object replaced in
   * between (CURRENT, pins, leases and GC state are rewritten in place by other processes) fails
   * with 412, which S3A reports as {@code RemoteFileChangedException}. That is not a storage
   * failure: reading again returns the new version whole.
   */
  static boolean changedWhileReading(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.apache.hadoop.fs.s3a.RemoteFileChangedException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Optional<byte[]> getRange(String name, long objectSize, long offset, int length) {
    try (HadoopLoader.Scope loader = HadoopLoader.enter()) {
      checkOpen();
      ObjectNames.checkName(name);
      ObjectRanges.checkRange(offset, length);
      ObjectRanges.checkObjectSize(objectSize);
      if (offset >= objectSize || length == 0) {
        // Nothing to read, but a missing object must still read as empty: one metadata request.
        return stat(name).map(info -> new byte[0]);
      }
      counters.count(RequestKind.GET_RANGE);
      int toRead = (int) Math.min(length, objectSize - offset);
      try (FSDataInputStream in = ctx.open(name, objectSize, "random")) {
        return Optional.of(readRange(in, offset, toRead));
      } catch (FileNotFoundException e) {
        return Optional.empty();
      } catch (IOException | RuntimeException e) {
        throw failed("ranged get", name, e);
      }
    }
  }

  /** Reads up to {@code length} bytes at {@code offset}, fewer at the end of the object. */
  private byte[] readRange(FSDataInputStream in, long offset, int length) throws IOException {
    try {
      // S3A's random policy would otherwise fetch a whole readahead window (64 KiB) per read.
      in.setReadahead(0L);
    } catch (UnsupportedOperationException e) {
      // Streams without readahead read what is asked.
    }
    byte[] buf = new byte[length];
    int filled = 0;
    while (filled < length) {
      int n = in.read(offset + filled, buf, filled, length - filled);
      if (n < 0) {
        break;
      }
      filled += n;
    }
    counters.read(filled);
    return filled == length ? buf : Arrays.copyOf(buf, filled);
  }

  @Override
  public Optional<ObjectInfo> stat(String name) {
    try (HadoopLoader.Scope loader = HadoopLoader.enter()) {
      checkOpen();
      ObjectNames.checkName(name);
      counters.count(RequestKind.STAT);
      try {
        FileStatus st = ctx.fs().getFileStatus(ctx.path(name));
        if (!st.isFile()) {
          return Optional.empty();
        }
        return Optional.of(new ObjectInfo(name, st.getLen(), st.getModificationTime()));
      } catch (FileNotFoundException e) {
        return Optional.empty();
      } catch (IOException | RuntimeException e) {
        throw failed("stat", name, e);
      }
    }
  }

  // ---------------------------------------------------------------- writes

  @Override
  public void put(String name, byte[] data) {
    try (HadoopLoader.Scope loader = HadoopLoader.enter()) {
      checkOpen();
      ObjectNames.checkName(name);
      counters.count(RequestKind.PUT);
      try {
        writes.put(name, data);
        counters.written(data.length);
      } catch (IOException | RuntimeException e) {
        throw failed("put", name, e);
      }
    }
  }

  @Override
  public boolean createIfAbsent(String name, byte[] data) {
    try (HadoopLoader.Scope loader = HadoopLoader.enter()) {
      checkOpen();
      ObjectNames.checkName(name);
      writes.checkCreateAllowed(name);
      counters.count(RequestKind.CREATE_IF_ABSENT);
      try {
        return writes.createIfAbsent(name, data);
      } catch (IOException | RuntimeException e) {
        throw failed("createIfAbsent", name, e);
      }
    }
  }

  @Override
  public ObjectUpload startUpload(String name) {
    try (HadoopLoader.Scope loader = HadoopLoader.enter()) {
      checkOpen();
      ObjectNames.checkName(name);
      try {
        return writes.startUpload(name);
      } catch (IOException | RuntimeException e) {
        throw failed("starting the upload", name, e);
      }
    }
  }

  @Override
  public boolean hasAtomicCreateIfAbsent() {
    return writes.atomicCreate();
  }

  @Override
  public void checkAtomicCreate() {
    checkOpen();
    writes.checkAtomicCreate();
  }

  // ---------------------------------------------------------------- listing

  @Override
  public Iterator<ObjectInfo> list(String namePrefix) {
    try (HadoopLoader.Scope loader = HadoopLoader.enter()) {
      checkOpen();
      ObjectNames.checkListPrefix(namePrefix);
      try {
        Iterator<ObjectInfo> it =
            writes.flatKeySpace()
                ? new S3aFlatListing(ctx, namePrefix)
                : new SortedTreeIterator(
                    this::listDirectory, namePrefix, e -> failed("list", namePrefix + "*", e));
        return new MappedIterator(it);
      } catch (IOException | RuntimeException e) {
        throw failed("list", namePrefix, e);
      }
    }
  }

  private List<SortedTreeIterator.Entry> listDirectory(String relativeDir) throws IOException {
    counters.count(RequestKind.LIST_PAGE);
    Path dir = relativeDir.isEmpty() ? ctx.root() : ctx.path(relativeDir);
    if (isLocal()) {
      List<SortedTreeIterator.Entry> local =
          LocalListing.list(
              relativeDir.isEmpty() ? java.nio.file.Path.of(dir.toUri()) : localPath(relativeDir),
              relativeDir.isEmpty() ? "" : relativeDir + "/");
      if (local != null) {
        return local;
      }
    }
    FileStatus[] statuses;
    try {
      statuses = ctx.fs().listStatus(dir);
    } catch (FileNotFoundException e) {
      return List.of();
    }
    // ABFS on the blob endpoint can report a directory twice (marker blob and virtual prefix).
    Map<String, SortedTreeIterator.Entry> byKey = new TreeMap<>();
    String base = relativeDir.isEmpty() ? "" : relativeDir + "/";
    for (FileStatus st : statuses) {
      SortedTreeIterator.Entry e =
          new SortedTreeIterator.Entry(
              base + st.getPath().getName(),
              st.isDirectory(),
              st.getLen(),
              st.getModificationTime());
      byKey.putIfAbsent(e.sortKey(), e);
    }
    return new ArrayList<>(byKey.values());
  }

  @Override
  public int deleteAbandonedTemporaries(String namePrefix, long olderThanMillis) {
    try (HadoopLoader.Scope loader = HadoopLoader.enter()) {
      checkOpen();
      ObjectNames.checkListPrefix(namePrefix);
      if (!writes.stagesWrites()) {
        return 0;
      }
      int slash = namePrefix.lastIndexOf('/');
      String dir = slash < 0 ? "" : namePrefix.substring(0, slash);
      int deleted = 0;
      try {
        ArrayDeque<String> dirs = new ArrayDeque<>();
        dirs.push(dir);
        while (!dirs.isEmpty()) {
          for (SortedTreeIterator.Entry e : listDirectory(dirs.pop())) {
            String last = e.name().substring(e.name().lastIndexOf('/') + 1);
            String visible = e.directory() ? e.name() + "/" : e.name();
            if (!visible.startsWith(namePrefix) && !namePrefix.startsWith(visible)) {
              continue;
            }
            if (e.directory()) {
              if (!last.startsWith(".")) {
                dirs.push(e.name());
              }
            } else if (last.startsWith(ObjectNames.TEMP_PREFIX)
                && e.name().startsWith(namePrefix.substring(0, slash + 1))
                && e.lastModifiedMillis() < olderThanMillis) {
              counters.count(RequestKind.DELETE);
              try {
                ctx.fs().delete(ctx.path(e.name()), false);
                deleted++;
              } catch (FileNotFoundException gone) {
                // its writer published or removed it meanwhile
              }
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        throw failed("deleting abandoned temporary files under", namePrefix, e);
      }
      if (deleted > 0) {
        LOG.info(
            "deleted {} abandoned temporary files under {}{}", deleted, location(), namePrefix);
      }
      return deleted;
    }
  }

  /**
   * A lazy listing that fails once the store is closed. The listings map their own I/O failures to
   * the store's IsleException (StoreContext.failed).
   */
  private final class MappedIterator implements Iterator<ObjectInfo> {
    private final Iterator<ObjectInfo> inner;

    MappedIterator(Iterator<ObjectInfo> inner) {
      this.inner = inner;
    }

    @Override
    public boolean hasNext() {
      try (HadoopLoader.Scope loader = HadoopLoader.enter()) {
        checkOpen();
        return inner.hasNext();
      }
    }

    @Override
    public ObjectInfo next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return inner.next();
    }
  }

  // ---------------------------------------------------------------- deletes

  @Override
  public void delete(String name) {
    try (HadoopLoader.Scope loader = HadoopLoader.enter()) {
      checkOpen();
      ObjectNames.checkName(name);
      if (writes.flatKeySpace()) {
        // A bulk delete of one key is a single DELETE; fs.delete() would first probe with
        // HEAD/LIST.
        ctx.deleteAll(List.of(name));
        return;
      }
      counters.count(RequestKind.DELETE);
      try {
        ctx.fs().delete(ctx.path(name), false);
      } catch (FileNotFoundException e) {
        // Already gone: deletes are idempotent.
      } catch (IOException | RuntimeException e) {
        throw failed("delete", name, e);
      }
    }
  }

  @Override
  public void deleteAll(Collection<String> names) {
    try (HadoopLoader.Scope loader = HadoopLoader.enter()) {
      checkOpen();
      ctx.deleteAll(names);
    }
  }

  // ---------------------------------------------------------------- misc

  @Override
  public RequestStats stats() {
    Map<String, Long> backend = new TreeMap<>();
    IOStatistics io = IOStatisticsSupport.retrieveIOStatistics(ctx.fs());
    if (io != null) {
      backend.putAll(io.counters());
    }
    return counters.snapshot(backend);
  }

  @Override
  public void close() {
    try (HadoopLoader.Scope loader = HadoopLoader.enter()) {
      if (isSibling) {
        return; // the store it was made from owns the file system and the closed flag
      }
      if (!ctx.closed().compareAndSet(false, true)) {
        return;
      }
      try {
        ctx.fsRelease().close();
      } catch (IOException e) {
        LOG.warn(
            "closing the file system of {} failed: {}", location(), Redaction.redact(e.toString()));
      }
    }
  }

  @Override
  public String toString() {
    return "HadoopObjectStore[" + location() + "]";
  }
}
