package io.isledb.storage;

import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.ObjectUpload;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BulkDelete;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FutureDataInputStreamBuilder;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.statistics.IOStatistics;
import org.apache.hadoop.fs.statistics.IOStatisticsSupport;
import org.apache.hadoop.util.functional.FutureIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ObjectStore} over a Hadoop {@link FileSystem}, with the create-if-absent primitive
 * that is really atomic on each scheme (see {@code docs/isle-core.md}, "Storage"):
 *
 * <ul>
 *   <li>{@code file://}: Hadoop's raw local file system for reads, listings and deletes; writes
 *       through java.nio (temp file, fsync, atomic rename for put, atomic hard link for
 *       create-if-absent), because Hadoop's local create-no-overwrite and rename are not atomic.
 *   <li>{@code s3a://}: the conditional-create builder ({@code If-None-Match: *}); reads of known
 *       size and writes skip S3A's HEAD/LIST probes; deletes use the bulk-delete API.
 *   <li>{@code abfs://}, {@code abfss://}: every write goes through a hidden temp file and a
 *       rename, since ABFS shows a file while it is written; create-if-absent renames without
 *       overwrite, which Azure makes atomic, so a name only ever holds a whole object.
 *   <li>anything else: like ABFS, except create-if-absent, which is refused unless {@value
 *       #UNSAFE_CREATE_IF_ABSENT} is set to {@code true}.
 * </ul>
 *
 * <p>Whenever a create fails in a way that could mean "the name is taken", the object is read back:
 * equal bytes mean this caller's own earlier attempt landed (a retried request whose response was
 * lost), so the call reports success. On S3A, {@link #checkAtomicCreate()} verifies once that the
 * server honours the condition. Credentials in the URI never appear in {@link #location()} or in
 * messages ({@link #redact}).
 */
public final class HadoopObjectStore implements ObjectStore {
  /**
   * Opt-in for a check-then-create create-if-absent on schemes without an atomic primitive. Two
   * writers can both win: only for single-writer set-ups that accept that risk.
   */
  public static final String UNSAFE_CREATE_IF_ABSENT = "isledb.storage.unsafe-create-if-absent";

  static final Logger LOG = LoggerFactory.getLogger(HadoopObjectStore.class);

  /** The S3A per-file option that skips the existence probes (HEAD, LIST) before a write. */
  private static final String S3A_CREATE_PERFORMANCE = "fs.s3a.create.performance";

  private static final String S3A_INPUT_STREAM_TYPE = "fs.s3a.input.stream.type";

  private static final String S3A_UPLOAD_BUFFER = "fs.s3a.fast.upload.buffer";

  private static final String CONDITIONAL_OVERWRITE = "fs.option.create.conditional.overwrite";

  /**
   * S3A's store-wide switch for conditional creates. Hadoop suggests turning it off for S3
   * compatible stores without them; IsleDB's create-if-absent needs it, so it is forced on.
   */
  static final String S3A_CONDITIONAL_CREATE_ENABLED = "fs.s3a.create.conditional.enabled";

  /** Where {@link #checkAtomicCreate()} creates its probe objects (never listed by the engine). */
  static final String PROBE_DIR = "storage-probe";

  private static final String OPENFILE_LENGTH = "fs.option.openfile.length";
  private static final String OPENFILE_READ_POLICY = "fs.option.openfile.read.policy";

  /** The largest page an S3 LIST returns, whatever larger value a client asks for. */
  private static final int S3_MAX_LIST_PAGE = 1000;

  /** Reads of an object that keeps being replaced while read are tried this many times. */
  private static final int CHANGED_WHILE_READING_ATTEMPTS = 8;

  /** How the names of temporary files of staged writes start (never a valid object name). */
  static final String TEMP_PREFIX = ".tmp-";

  /** How each scheme writes and creates objects. */
  enum Flavor {
    LOCAL,
    S3A,
    ABFS,
    OTHER
  }

  private final Flavor flavor;
  private final String scheme;
  final FileSystem fs;
  final Path root;
  final String rootPathString;
  private final java.nio.file.Path localRoot;
  private final String location;
  private final boolean unsafeCreate;
  final int s3ListPage;
  final RequestCounters counters = new RequestCounters();
  private final AtomicBoolean unsafeWarned = new AtomicBoolean();
  private final Object probeLock = new Object();
  private volatile boolean atomicCreateVerified;
  private volatile boolean closed;

  /** Runs just before a staged {@code file://} write is published; for tests only. */
  @FunctionalInterface
  interface PublishHook {
    void beforePublish(java.nio.file.Path tmp) throws IOException;
  }

  volatile PublishHook beforePublishHook = tmp -> {};

  /**
   * Runs on ABFS right after createIfAbsent opened its output stream, before any byte is written;
   * for tests only (a hook that throws is a process dying between create and close).
   */
  volatile java.util.function.Consumer<String> afterStagedCreateHook = name -> {};

  private HadoopObjectStore(
      Flavor flavor, String scheme, FileSystem fs, Path root, Configuration conf) {
    this.flavor = flavor;
    this.scheme = scheme;
    this.fs = fs;
    this.root = root;
    this.rootPathString = root.toUri().getPath();
    this.localRoot = flavor == Flavor.LOCAL ? java.nio.file.Path.of(root.toUri()) : null;
    // Hadoop prints file:/x for file:///x; show local roots the way users write them.
    this.location =
        (flavor == Flavor.LOCAL ? "file://" + rootPathString : redact(root.toString())) + "/";
    this.unsafeCreate = conf.getBoolean(UNSAFE_CREATE_IF_ABSENT, false);
    this.s3ListPage =
        Math.max(1, Math.min(S3_MAX_LIST_PAGE, conf.getInt("fs.s3a.paging.maximum", 5000)));
  }

  /**
   * Opens the database {@code prefix} under {@code uri}; the database root is {@code
   * <uri>/<prefix>/}. The FileSystem is a private instance, closed by {@link #close()}.
   */
  public static ObjectStore open(String uri, String prefix, Map<String, String> hadoopConf) {
    if (hadoopConf == null) {
      throw IsleException.invalidArgument(
          "hadoopConf must not be null (pass Map.of() for no extra Hadoop settings)");
    }
    if (prefix == null) {
      throw IsleException.invalidArgument("the database prefix must not be null");
    }
    ObjectNames.checkPrefix(prefix);
    String cleanPrefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    URI base = parseBase(uri);
    String scheme = base.getScheme().toLowerCase(Locale.ROOT);
    Flavor flavor =
        switch (scheme) {
          case "file" -> Flavor.LOCAL;
          case "s3a" -> Flavor.S3A;
          case "abfs", "abfss" -> Flavor.ABFS;
          default -> Flavor.OTHER;
        };
    String baseString = base.toString();
    while (baseString.endsWith("/")) {
      baseString = baseString.substring(0, baseString.length() - 1);
    }
    Path root;
    try {
      root = new Path(baseString + "/" + cleanPrefix);
    } catch (IllegalArgumentException e) {
      throw IsleException.invalidArgument(
          "storage URI '"
              + redact(baseString)
              + "' with prefix '"
              + cleanPrefix
              + "' is not a valid path: "
              + redact(String.valueOf(e.getMessage())));
    }
    Configuration conf = new Configuration();
    if (flavor == Flavor.ABFS) {
      // hadoop-azure 3.5.0's read-footer metrics, shared by all streams of a file system, throw
      // NullPointerExceptions under concurrent reads; keep only the backoff metrics.
      conf.set("fs.azure.metrics.format", "INTERNAL_BACKOFF_METRIC_FORMAT");
    }
    if (flavor == Flavor.S3A) {
      // The default "analytics" stream of Hadoop 3.5 sends a HEAD even when the length is known
      // and prefetches beyond the requested range; the classic stream reads a known-size range
      // with exactly one GET. Users can still choose another stream type explicitly.
      conf.set(S3A_INPUT_STREAM_TYPE, "classic");
      // Uploads are tables and blobs of bounded size (about a memtable or a compaction output
      // table), so buffer them on the heap rather than in a local temp file that is written and
      // read back: about 11% less CPU per ingested byte and 15-20% more ingest in the benchmarks.
      conf.set(S3A_UPLOAD_BUFFER, "array");
    }
    hadoopConf.forEach(
        (k, v) -> {
          if (k == null || v == null) {
            throw IsleException.invalidArgument(
                "hadoopConf must not hold null keys or values (key " + k + ")");
          }
          conf.set(k, v);
        });
    if (flavor == Flavor.S3A) {
      forceS3aSettings(conf, redact(root.toString()));
    }
    FileSystem fs;
    try {
      if (flavor == Flavor.LOCAL) {
        // The raw local FS writes no .crc side files; our own writes go through java.nio anyway.
        RawLocalFileSystem local = new RawLocalFileSystem();
        local.initialize(URI.create("file:///"), conf);
        fs = local;
      } else {
        fs = FileSystem.newInstance(root.toUri(), conf);
      }
    } catch (IOException | RuntimeException e) {
      throw IsleException.unavailable(
          "cannot open the "
              + scheme
              + " file system for "
              + redact(root.toString())
              + ": "
              + redact(e.toString()),
          redacted(e));
    }
    return new HadoopObjectStore(flavor, scheme, fs, root, conf);
  }

  /**
   * Applied after the user's settings, because IsleDB's correctness depends on them: a user (or a
   * site configuration written for an S3-compatible store) that turns conditional creates off would
   * make every create-if-absent fail; IsleDB's creates always ask for the condition, and {@link
   * #checkAtomicCreate()} verifies that the server honours it. (The create-performance mode, {@code
   * fs.s3a.create.performance}, needs nothing forced: IsleDB sets it per file, and it skips only
   * S3A's HEAD/LIST overwrite probes, not the {@code If-None-Match} condition.)
   */
  private static void forceS3aSettings(Configuration conf, String where) {
    String was = conf.getTrimmed(S3A_CONDITIONAL_CREATE_ENABLED);
    if (was != null && !was.equalsIgnoreCase("true")) {
      LOG.info(
          "{}: forcing {}=true (configured '{}'): IsleDB's create-if-absent needs conditional"
              + " creates (If-None-Match: *)",
          where,
          S3A_CONDITIONAL_CREATE_ENABLED,
          was);
    }
    conf.setBoolean(S3A_CONDITIONAL_CREATE_ENABLED, true);
  }

  /** URI schemes whose user-info part names a container, not a user. */
  private static final java.util.Set<String> CONTAINER_SCHEMES =
      java.util.Set.of("abfs", "abfss", "wasb", "wasbs");

  private static final java.util.regex.Pattern USER_INFO =
      java.util.regex.Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://([^/?#\\s'\"`@]*)@");

  /**
   * {@code text} with the credentials of every URI in it removed, for messages, logs and {@link
   * #location()}: {@code s3a://KEY:SECRET@bucket} becomes {@code s3a://bucket}; on ABFS/WASB, where
   * the user-info part is the container, only a password is removed ({@code
   * abfs://container:KEY@account} becomes {@code abfs://container@account}).
   */
  static String redact(String text) {
    if (text == null || text.indexOf('@') < 0) {
      return text;
    }
    java.util.regex.Matcher m = USER_INFO.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String scheme = m.group(1);
      String userInfo = m.group(2);
      String kept;
      if (CONTAINER_SCHEMES.contains(scheme.toLowerCase(Locale.ROOT))) {
        int colon = userInfo.indexOf(':');
        kept = (colon < 0 ? userInfo : userInfo.substring(0, colon)) + "@";
      } else {
        kept = "";
      }
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(scheme + "://" + kept));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * {@code e} itself if its messages hold no credentials, else a copy (same type name and stack
   * trace in the message and trace) whose messages are redacted, so that a cause attached to an
   * IsleException cannot leak them either.
   */
  static Throwable redacted(Throwable e) {
    boolean clean = true;
    for (Throwable t = e; t != null && clean; t = t.getCause()) {
      String s = t.toString();
      clean = s.equals(redact(s));
    }
    if (clean) {
      return e;
    }
    IOException copy =
        new IOException(redact(e.toString()), e.getCause() == null ? null : redacted(e.getCause()));
    copy.setStackTrace(e.getStackTrace());
    return copy;
  }

  private static URI parseBase(String uri) {
    if (uri == null || uri.isEmpty()) {
      throw IsleException.invalidArgument("storage URI must not be empty");
    }
    String shown = redact(uri);
    if (!shown.contains("://") && shown.indexOf('@') >= 0) {
      // Not scheme://authority, so the user-info part cannot be told apart: hide all before '@'.
      shown = "***" + shown.substring(shown.lastIndexOf('@'));
    }
    URI base;
    try {
      base = new URI(uri);
    } catch (URISyntaxException e) {
      throw IsleException.invalidArgument(
          "storage URI '" + shown + "' is malformed: " + redact(e.getMessage()));
    }
    if (base.getScheme() == null) {
      throw IsleException.invalidArgument(
          "storage URI '" + shown + "' has no scheme (file:///abs/dir, s3a://bucket, ...)");
    }
    if (base.isOpaque()) {
      throw IsleException.invalidArgument(
          "storage URI '" + shown + "' is not hierarchical (file:///abs/dir, s3a://bucket, ...)");
    }
    if (base.getScheme().equalsIgnoreCase("file")
        && (base.getPath() == null || !base.getPath().startsWith("/"))) {
      throw IsleException.invalidArgument(
          "file storage URI '" + shown + "' must name an absolute directory, like file:///data/db");
    }
    return base;
  }

  @Override
  public String location() {
    return location;
  }

  String where(String name) {
    return location + name;
  }

  void checkOpen() {
    if (closed) {
      throw IsleException.closed("object store " + location);
    }
  }

  Path path(String name) {
    return new Path(root, name);
  }

  private java.nio.file.Path localPath(String name) {
    return localRoot.resolve(name);
  }

  /**
   * A storage failure as IsleDB reports it. Runtime exceptions from the Hadoop clients (for example
   * races inside their metrics code) are reported the same way as I/O errors: the caller can only
   * retry. IsleDB's own exceptions pass through unchanged.
   */
  IsleException failed(String op, String name, Exception e) {
    if (e instanceof IsleException ie) {
      return ie;
    }
    return IsleException.unavailable(
        op + " of " + where(name) + " failed: " + redact(e.toString()), redacted(e));
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Optional<byte[]> get(String name) {
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

  @Override
  public Optional<byte[]> getRange(String name, long offset, int length) {
    checkOpen();
    ObjectNames.checkName(name);
    InMemoryObjectStore.checkRange(offset, length);
    return readRetryingChanges(
        RequestKind.GET_RANGE, "ranged get", name, "random", in -> readRange(in, offset, length));
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
      try (FSDataInputStream in = open(name, -1, readPolicy)) {
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
      Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(1, max + 1));
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
    checkOpen();
    ObjectNames.checkName(name);
    InMemoryObjectStore.checkRange(offset, length);
    if (objectSize < 0) {
      throw IsleException.invalidArgument("object size " + objectSize + " must not be negative");
    }
    if (offset >= objectSize || length == 0) {
      // Nothing to read, but a missing object must still read as empty: one metadata request.
      return stat(name).map(info -> new byte[0]);
    }
    counters.count(RequestKind.GET_RANGE);
    int toRead = (int) Math.min(length, objectSize - offset);
    try (FSDataInputStream in = open(name, objectSize, "random")) {
      return Optional.of(readRange(in, offset, toRead));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      throw failed("ranged get", name, e);
    }
  }

  /**
   * Opens {@code name}. With a known length S3A issues no HEAD (the GET is the only request); the
   * read policy tells it to fetch only what is asked (random) or to stream everything (whole-file).
   */
  private FSDataInputStream open(String name, long knownLength, String readPolicy)
      throws IOException {
    FutureDataInputStreamBuilder b = fs.openFile(path(name)).opt(OPENFILE_READ_POLICY, readPolicy);
    if (knownLength >= 0) {
      b = b.opt(OPENFILE_LENGTH, knownLength);
    }
    return FutureIO.awaitFuture(b.build());
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
    checkOpen();
    ObjectNames.checkName(name);
    counters.count(RequestKind.STAT);
    try {
      FileStatus st = fs.getFileStatus(path(name));
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

  // ---------------------------------------------------------------- writes

  @Override
  public void put(String name, byte[] data) {
    checkOpen();
    ObjectNames.checkName(name);
    counters.count(RequestKind.PUT);
    try {
      if (flavor == Flavor.LOCAL) {
        java.nio.file.Path target = localPath(name);
        java.nio.file.Path tmp = LocalFiles.tempFor(target);
        try {
          LocalFiles.writeTemp(tmp, data);
          beforePublishHook.beforePublish(tmp);
          LocalFiles.publishReplacing(tmp, target);
        } finally {
          LocalFiles.deleteQuietly(tmp);
        }
      } else if (flavor == Flavor.S3A) {
        try (FSDataOutputStream out = createS3aForWrite(name)) {
          out.write(data);
        }
      } else {
        Path tmp = tempPath(name);
        boolean published = false;
        try {
          try (FSDataOutputStream out = fs.create(tmp, false)) {
            out.write(data);
          }
          publishByRename(tmp, path(name));
          published = true;
        } finally {
          if (!published) {
            deleteQuietly(tmp);
          }
        }
      }
      counters.written(data.length);
    } catch (IOException | RuntimeException e) {
      throw failed("put", name, e);
    }
  }

  /**
   * An S3A stream that replaces {@code name} when closed. The performance flag skips the HEAD and
   * LIST probes that guard against overwriting a directory, which IsleDB never has where it writes.
   */
  private FSDataOutputStream createS3aForWrite(String name) throws IOException {
    return (FSDataOutputStream)
        fs.createFile(path(name))
            .overwrite(true)
            .recursive()
            .opt(S3A_CREATE_PERFORMANCE, true)
            .build();
  }

  /**
   * A hidden sibling of {@code name} for schemes whose files are visible while being written (ABFS
   * shows an empty blob from create() on; HDFS shows partial files): the object is written there
   * and renamed into place, so readers see all of it or nothing.
   */
  private Path tempPath(String name) {
    Path target = path(name);
    return new Path(target.getParent(), TEMP_PREFIX + UUID.randomUUID() + "-" + target.getName());
  }

  /** Attempts of {@link #publishByRename} when other writers keep replacing the same object. */
  private static final int PUBLISH_ATTEMPTS = 3;

  /**
   * Renames a finished temp file onto {@code target}, replacing any existing object. Hadoop's
   * rename never replaces a file (ABFS, HDFS: it returns false), so replacing moves the old object
   * aside to a hidden sibling, renames the temp into place, and only then deletes the old one. A
   * reader may briefly miss the object, but never sees it partial, and a failure never loses it:
   *
   * <ul>
   *   <li>if the temp file vanished (an abandoned-temporaries sweep took the file of a write that
   *       stalled longer than the grace period), the target is not touched at all;
   *   <li>if the rename into place fails, the old object is moved back (unless another writer
   *       published a newer one meanwhile, which then stays).
   * </ul>
   *
   * The aside file carries the temp prefix, so a process killed between the two renames leaves it
   * for the sweep (the object is then missing until rewritten, as with any crash mid-replace).
   */
  void publishByRename(Path tmp, Path target) throws IOException {
    for (int attempt = 1; ; attempt++) {
      if (renameNoReplace(tmp, target)) {
        return;
      }
      // Find out why before touching the target: only "the target exists" justifies replacing.
      if (!fs.exists(tmp)) {
        throw new FileNotFoundException(
            "temporary file "
                + tmp.getName()
                + " vanished before it was published (deleted as abandoned?); "
                + target.getName()
                + " was left as it was");
      }
      if (attempt > PUBLISH_ATTEMPTS) {
        throw new IOException(
            "cannot rename "
                + tmp.getName()
                + " onto "
                + target.getName()
                + " after "
                + PUBLISH_ATTEMPTS
                + " attempts; the existing object was left as it was");
      }
      if (!fs.exists(target)) {
        continue; // another writer moved it away meanwhile: plain rename again
      }
      Path aside = new Path(target.getParent(), TEMP_PREFIX + UUID.randomUUID() + "-old");
      if (!renameNoReplace(target, aside)) {
        continue; // replaced or moved by another writer meanwhile
      }
      boolean published = false;
      try {
        published = renameNoReplace(tmp, target);
      } finally {
        if (published) {
          deleteQuietly(aside);
        } else {
          restore(aside, target);
        }
      }
      if (published) {
        return;
      }
      // The rename into place failed with the target out of the way: retry from the top, where
      // a vanished temp ends it with the old object back in place.
    }
  }

  /** Hadoop's rename, with "the target exists" as false on every file system. */
  private boolean renameNoReplace(Path src, Path dst) throws IOException {
    try {
      return fs.rename(src, dst);
    } catch (FileAlreadyExistsException | org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    }
  }

  /** Moves an object that was set aside back into place, unless a newer one took its name. */
  private void restore(Path aside, Path target) throws IOException {
    if (renameNoReplace(aside, target)) {
      return;
    }
    if (fs.exists(target)) {
      deleteQuietly(aside); // another writer published a newer object meanwhile
      return;
    }
    throw new IOException(
        "cannot move the previous "
            + target.getName()
            + " back from "
            + aside.getName()
            + " after a failed replace; it is kept there");
  }

  void deleteQuietly(Path tmp) {
    try {
      fs.delete(tmp, false);
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot delete temporary file {}: {}", redact(tmp.toString()), redact(e.toString()));
    }
  }

  @Override
  public boolean createIfAbsent(String name, byte[] data) {
    checkOpen();
    ObjectNames.checkName(name);
    if (flavor == Flavor.OTHER && !unsafeCreate) {
      throw IsleException.invalidArgument(
          "createIfAbsent of "
              + where(name)
              + ": the '"
              + scheme
              + "' scheme has no known-atomic create-if-absent, so two writers could both win."
              + " Use s3a://, abfs:// or file://, or set "
              + UNSAFE_CREATE_IF_ABSENT
              + "=true to accept an unsafe check-then-create (one writer only)");
    }
    counters.count(RequestKind.CREATE_IF_ABSENT);
    try {
      return switch (flavor) {
        case LOCAL -> createLocal(name, data);
        case S3A -> createS3a(name, data);
        case ABFS -> createAbfs(name, data);
        case OTHER -> createUnsafe(name, data);
      };
    } catch (IOException | RuntimeException e) {
      throw failed("createIfAbsent", name, e);
    }
  }

  private boolean createLocal(String name, byte[] data) throws IOException {
    java.nio.file.Path target = localPath(name);
    java.nio.file.Path tmp = LocalFiles.tempFor(target);
    boolean linked;
    try {
      LocalFiles.writeTemp(tmp, data);
      linked = LocalFiles.publishIfAbsent(tmp, target);
    } finally {
      LocalFiles.deleteQuietly(tmp);
    }
    if (linked) {
      counters.written(data.length);
      return true;
    }
    return holdsOurBytes(name, data)
        .orElseThrow(() -> vanished(name, new FileAlreadyExistsException(target.toString())));
  }

  /**
   * The S3A conditional PUT ({@code If-None-Match: *}). The loser learns it lost only at close() (a
   * 412), and so does a writer whose first attempt landed but whose response was lost and whose
   * retry then hit its own object. Any failure is therefore settled by reading the object back.
   */
  private boolean createS3a(String name, byte[] data) throws IOException {
    try {
      conditionalPutS3a(name, data);
    } catch (IOException e) {
      LOG.debug(
          "conditional create of {} failed, re-reading it: {}", where(name), redact(e.toString()));
      Optional<Boolean> ours = holdsOurBytes(name, data);
      if (ours.isEmpty()) {
        throw e;
      }
      return ours.get();
    }
    counters.written(data.length);
    return true;
  }

  /** One PUT with {@code If-None-Match: *}; a lost race fails at close (412). */
  private void conditionalPutS3a(String name, byte[] data) throws IOException {
    FSDataOutputStream out =
        (FSDataOutputStream)
            fs.createFile(path(name))
                .overwrite(false)
                .recursive()
                .must(CONDITIONAL_OVERWRITE, true)
                .opt(S3A_CREATE_PERFORMANCE, true)
                .build();
    try {
      out.write(data);
    } catch (IOException e) {
      out.abort();
      throw e;
    }
    out.close();
  }

  @Override
  public void checkAtomicCreate() {
    checkOpen();
    if (flavor != Flavor.S3A || atomicCreateVerified) {
      return; // file:// (hard link) and ABFS (no-overwrite rename) are atomic by construction
    }
    synchronized (probeLock) {
      if (!atomicCreateVerified) {
        probeS3aAtomicity();
        atomicCreateVerified = true;
      }
    }
  }

  /**
   * Creates a fresh probe object twice with {@code If-None-Match: *}: the second create must fail
   * with 412. A server that ignores the condition (some S3-compatible stores, or a proxy that drops
   * the header) lets it replace the first, which would let two writers both "win" a manifest slot.
   * Cost: 2 PUTs and 1 DELETE, once per store; the probe object is always deleted.
   */
  private void probeS3aAtomicity() {
    String name = PROBE_DIR + "/" + UUID.randomUUID();
    String what = "the create-if-absent check of " + location + " (probe object " + name + ")";
    try {
      counters.count(RequestKind.CREATE_IF_ABSENT);
      try {
        conditionalPutS3a(name, "first".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } catch (IOException | RuntimeException e) {
        throw IsleException.unavailable(
            what + ": the first conditional create failed: " + redact(e.toString()), redacted(e));
      }
      counters.count(RequestKind.CREATE_IF_ABSENT);
      try {
        conditionalPutS3a(name, "second".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } catch (IOException | RuntimeException e) {
        if (preconditionFailed(e)) {
          LOG.info("{}: conditional creates are atomic (probe: 2 PUTs, 1 DELETE)", location);
          return;
        }
        throw IsleException.unavailable(
            what
                + ": the second conditional create failed, but not with 412: "
                + redact(e.toString()),
            redacted(e));
      }
      throw IsleException.invalidArgument(
          "the store at "
              + location
              + " does not honour conditional creates (If-None-Match: *): a second create of"
              + " the probe object "
              + name
              + " replaced the first instead of failing with 412 Precondition Failed. Writers,"
              + " committers, compactors and garbage collectors need an atomic create-if-absent;"
              + " use a store that supports conditional writes. Readers are not affected.");
    } finally {
      try {
        deleteAll(List.of(name));
      } catch (IsleException e) {
        LOG.warn("cannot delete the probe object {}: {}", where(name), e.getMessage());
      }
    }
  }

  /** Whether a conditional create lost to an existing object (412 Precondition Failed). */
  private static boolean preconditionFailed(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.apache.hadoop.fs.s3a.RemoteFileChangedException
          || t instanceof org.apache.hadoop.fs.FileAlreadyExistsException
          // S3A's own wrapper, not the SDK's exception: isle-core reaches storage only through
          // Hadoop's API (ArchitectureTest).
          || (t instanceof org.apache.hadoop.fs.s3a.AWSServiceIOException se
              && se.statusCode() == 412)) {
        return true;
      }
    }
    return false;
  }

  /**
   * ABFS commits create-if-absent all or nothing: the bytes go to a hidden temp file first, which
   * is then renamed onto the name without overwriting. Azure's rename of a file is a server-side
   * copy with {@code If-None-Match: *} on the destination (blob endpoint) or a rename with the same
   * condition (DFS endpoint), so of racing writers exactly one wins, and the name only ever holds a
   * whole object. Creating the name directly ({@code create(p, false)}) would claim it before the
   * bytes are committed at close: a writer dying in between left an empty object that blocked the
   * slot for good. A writer dying now leaves only its temp file, which the abandoned-temporaries
   * sweep removes. As on S3A, a failure or a lost race is settled by reading the object back (a
   * retried rename whose first attempt landed finds its own bytes).
   */
  private boolean createAbfs(String name, byte[] data) throws IOException {
    Path target = path(name);
    Path tmp = tempPath(name);
    boolean renamed = false;
    IOException renameFailure = null;
    try {
      FSDataOutputStream out = fs.create(tmp, false);
      afterStagedCreateHook.accept(name); // a "crash" here leaves the stream unclosed
      try (out) {
        out.write(data);
      }
      try {
        renamed = renameNoReplace(tmp, target);
      } catch (IOException e) {
        renameFailure = e;
      }
    } finally {
      if (!renamed) {
        deleteQuietly(tmp);
      }
    }
    if (renamed) {
      counters.written(data.length);
      return true;
    }
    LOG.debug(
        "rename onto {} failed, re-reading it: {}",
        where(name),
        renameFailure == null ? "the name is taken" : redact(renameFailure.toString()));
    Optional<Boolean> ours = holdsOurBytes(name, data);
    if (ours.isPresent()) {
      return ours.get();
    }
    if (renameFailure != null) {
      throw renameFailure;
    }
    throw new IOException(
        "the rename of the staged object onto " + name + " failed and no object holds the name");
  }

  private boolean createUnsafe(String name, byte[] data) throws IOException {
    if (unsafeWarned.compareAndSet(false, true)) {
      LOG.warn(
          "{} is set: createIfAbsent on {} is a NON-ATOMIC check-then-create; two concurrent"
              + " writers can both succeed and corrupt the database",
          UNSAFE_CREATE_IF_ABSENT,
          location);
    }
    Optional<Boolean> ours = holdsOurBytes(name, data);
    if (ours.isPresent()) {
      return ours.get();
    }
    try (FSDataOutputStream out = fs.create(path(name), false)) {
      out.write(data);
    }
    counters.written(data.length);
    return true;
  }

  /**
   * Whether the existing object holds exactly {@code data}, or empty if there is no object. Called
   * when a create found the name taken: equal bytes mean our own earlier attempt landed (a retried
   * request whose first response was lost), so this call did create it.
   */
  private Optional<Boolean> holdsOurBytes(String name, byte[] data) throws IOException {
    counters.count(RequestKind.GET);
    try (FSDataInputStream in = open(name, -1, "whole-file")) {
      byte[] existing = in.readAllBytes();
      counters.read(existing.length);
      return Optional.of(Arrays.equals(existing, data));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    }
  }

  private IsleException vanished(String name, Exception cause) {
    return IsleException.unavailable(
        "createIfAbsent of " + where(name) + " lost to an object that then vanished", cause);
  }

  @Override
  public ObjectUpload startUpload(String name) {
    checkOpen();
    ObjectNames.checkName(name);
    try {
      if (flavor == Flavor.LOCAL) {
        return new LocalUpload(this, name, localPath(name));
      }
      if (flavor == Flavor.S3A) {
        return new StreamUpload(this, name, createS3aForWrite(name), null);
      }
      Path tmp = tempPath(name);
      return new StreamUpload(this, name, fs.create(tmp, false), tmp);
    } catch (IOException | RuntimeException e) {
      throw failed("starting the upload", name, e);
    }
  }

  /** An upload that cannot complete because the store was closed is abandoned, not leaked. */
  void checkCompletable(ObjectUpload upload, boolean done, String name) {
    if (done) {
      throw IsleException.closed("upload of " + where(name));
    }
    if (closed) {
      upload.close();
      checkOpen();
    }
  }

  // ---------------------------------------------------------------- listing

  @Override
  public Iterator<ObjectInfo> list(String namePrefix) {
    checkOpen();
    ObjectNames.checkListPrefix(namePrefix);
    try {
      Iterator<ObjectInfo> it =
          flavor == Flavor.S3A
              ? new S3aFlatListing(this, namePrefix)
              : new SortedTreeIterator(this::listDirectory, namePrefix);
      return new MappedIterator(it, namePrefix);
    } catch (IOException | RuntimeException e) {
      throw failed("list", namePrefix, e);
    }
  }

  private List<SortedTreeIterator.Entry> listDirectory(String relativeDir) throws IOException {
    counters.count(RequestKind.LIST_PAGE);
    Path dir = relativeDir.isEmpty() ? root : path(relativeDir);
    FileStatus[] statuses;
    try {
      statuses = fs.listStatus(dir);
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
    checkOpen();
    ObjectNames.checkListPrefix(namePrefix);
    if (flavor == Flavor.S3A) {
      return 0; // S3A publishes uploads at completion; nothing is staged under the prefix
    }
    int slash = namePrefix.lastIndexOf('/');
    String dir = slash < 0 ? "" : namePrefix.substring(0, slash);
    int deleted = 0;
    try {
      java.util.ArrayDeque<String> dirs = new java.util.ArrayDeque<>();
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
          } else if (last.startsWith(TEMP_PREFIX)
              && e.name().startsWith(namePrefix.substring(0, slash + 1))
              && e.lastModifiedMillis() < olderThanMillis) {
            counters.count(RequestKind.DELETE);
            try {
              fs.delete(new Path(root, e.name()), false);
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
      LOG.info("deleted {} abandoned temporary files under {}{}", deleted, location, namePrefix);
    }
    return deleted;
  }

  /** Turns I/O failures of a lazy listing into {@link IsleException}s naming the listing. */
  private final class MappedIterator implements Iterator<ObjectInfo> {
    private final Iterator<ObjectInfo> inner;
    private final String prefix;

    MappedIterator(Iterator<ObjectInfo> inner, String prefix) {
      this.inner = inner;
      this.prefix = prefix;
    }

    @Override
    public boolean hasNext() {
      checkOpen();
      try {
        return inner.hasNext();
      } catch (UncheckedIOException e) {
        throw failed("list", prefix + "*", e.getCause());
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
    checkOpen();
    ObjectNames.checkName(name);
    if (flavor == Flavor.S3A) {
      // A bulk delete of one key is a single DELETE; fs.delete() would first probe with HEAD/LIST.
      deleteAll(List.of(name));
      return;
    }
    counters.count(RequestKind.DELETE);
    try {
      fs.delete(path(name), false);
    } catch (FileNotFoundException e) {
      // Already gone: deletes are idempotent.
    } catch (IOException | RuntimeException e) {
      throw failed("delete", name, e);
    }
  }

  @Override
  public void deleteAll(Collection<String> names) {
    checkOpen();
    List<Path> paths = new ArrayList<>(names.size());
    for (String n : names) {
      paths.add(path(ObjectNames.checkName(n)));
    }
    if (paths.isEmpty()) {
      return;
    }
    try (BulkDelete bulk = fs.createBulkDelete(root)) {
      int page = Math.max(1, bulk.pageSize());
      for (int i = 0; i < paths.size(); i += page) {
        List<Path> chunk = paths.subList(i, Math.min(paths.size(), i + page));
        counters.count(RequestKind.DELETE);
        List<Map.Entry<Path, String>> failures = bulk.bulkDelete(chunk);
        if (!failures.isEmpty()) {
          Map<String, String> byName = new TreeMap<>();
          failures.forEach(f -> byName.put(redact(f.getKey().toString()), redact(f.getValue())));
          throw IsleException.unavailable(
              "deleting " + failures.size() + " objects under " + location + " failed: " + byName,
              null);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw IsleException.unavailable(
          "deleting "
              + names.size()
              + " objects under "
              + location
              + " failed: "
              + redact(e.toString()),
          redacted(e));
    }
  }

  // ---------------------------------------------------------------- misc

  @Override
  public boolean hasAtomicCreateIfAbsent() {
    return flavor != Flavor.OTHER;
  }

  @Override
  public RequestStats stats() {
    Map<String, Long> backend = new TreeMap<>();
    IOStatistics io = IOStatisticsSupport.retrieveIOStatistics(fs);
    if (io != null) {
      backend.putAll(io.counters());
    }
    return counters.snapshot(backend);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      fs.close();
    } catch (IOException e) {
      LOG.warn("closing the file system of {} failed: {}", location, redact(e.toString()));
    }
  }

  @Override
  public String toString() {
    return "HadoopObjectStore[" + location + "]";
  }
}
