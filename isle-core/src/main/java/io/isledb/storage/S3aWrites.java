package io.isledb.storage;

import static io.isledb.storage.Redaction.redact;
import static io.isledb.storage.Redaction.redacted;

import io.isledb.IsleException;
import io.isledb.ObjectUpload;
import io.isledb.RequestStats.RequestKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes on {@code s3a://}: S3 publishes an object whole when its PUT (or multipart upload)
 * completes, so writes go straight to the name; create-if-absent is the conditional-create builder
 * ({@code If-None-Match: *}), forced on whatever the configuration says, and verified once per
 * server and process by {@link #checkAtomicCreate()}. Writes skip S3A's HEAD/LIST probes.
 */
final class S3aWrites implements WriteStrategy {
  private static final Logger LOG = LoggerFactory.getLogger(S3aWrites.class);

  /** The S3A per-file option that skips the existence probes (HEAD, LIST) before a write. */
  private static final String S3A_CREATE_PERFORMANCE = "fs.s3a.create.performance";

  private static final String S3A_INPUT_STREAM_TYPE = "fs.s3a.input.stream.type";

  private static final String S3A_UPLOAD_BUFFER = "fs.s3a.fast.upload.buffer";

  private static final String S3A_MULTIPART_SIZE = "fs.s3a.multipart.size";

  /** IsleDB's default S3A part size, the AWS SDK's and CLI's default part size too. */
  static final String DEFAULT_MULTIPART_SIZE = "8M";

  private static final String CONDITIONAL_OVERWRITE = "fs.option.create.conditional.overwrite";

  /**
   * S3A's store-wide switch for conditional creates. Hadoop suggests turning it off for S3
   * compatible stores without them; IsleDB's create-if-absent needs it, so it is forced on.
   */
  static final String S3A_CONDITIONAL_CREATE_ENABLED = "fs.s3a.create.conditional.enabled";

  /** Where {@link #checkAtomicCreate()} creates its probe objects (never listed by the engine). */
  static final String PROBE_DIR = "storage-probe";

  /**
   * The servers that passed the probe in this process, by {@link #server}: the bucket, endpoint and
   * connection settings a file system talks through. Every store of such a server need not probe
   * again, also on another file system instance: a Flink task's state backends get new shared
   * resources (and file systems) at every restore, and a restoring task otherwise paid two
   * conditional creates and a delete, three round trips, before its first manifest read.
   */
  private static final Set<String> VERIFIED_SERVERS = ConcurrentHashMap.newKeySet();

  /**
   * What decides whether conditional creates are honoured: the bucket, the endpoint and region it
   * is reached at, path-style access, TLS and a proxy in between (one that drops the header makes
   * creates overwrite). Read from the file system's own configuration, which carries its bucket's
   * per-bucket options.
   */
  static String server(FileSystem fs) {
    Configuration c = fs.getConf();
    StringBuilder key = new StringBuilder(fs.getUri().toString());
    for (String k : SERVER_KEYS) {
      key.append('|').append(k).append('=').append(c.getTrimmed(k, ""));
    }
    return key.toString();
  }

  private static final List<String> SERVER_KEYS =
      List.of(
          "fs.s3a.endpoint",
          "fs.s3a.endpoint.region",
          "fs.s3a.path.style.access",
          "fs.s3a.connection.ssl.enabled",
          "fs.s3a.proxy.host",
          "fs.s3a.proxy.port");

  /** Forgets every server's probe: tests that count the probe's requests start from none. */
  static void forgetVerifiedServers() {
    VERIFIED_SERVERS.clear();
  }

  private final StoreContext ctx;
  private final Object probeLock = new Object();
  private volatile boolean atomicCreateVerified;

  S3aWrites(StoreContext ctx) {
    this.ctx = ctx;
  }

  /** IsleDB's defaults, applied before the user's settings (which may override them). */
  static void configureDefaults(Configuration conf) {
    // The default "analytics" stream of Hadoop 3.5 sends a HEAD even when the length is known
    // and prefetches beyond the requested range; the classic stream reads a known-size range
    // with exactly one GET. Users can still choose another stream type explicitly.
    conf.set(S3A_INPUT_STREAM_TYPE, "classic");
    // Uploads are tables and blobs of bounded size (about a memtable or a compaction output
    // table), so buffer them on the heap rather than in a local temp file that is written and
    // read back: about 11% less CPU per ingested byte and 15-20% more ingest in the benchmarks.
    conf.set(S3A_UPLOAD_BUFFER, "array");
    // An "array" upload allocates one whole part (fs.s3a.multipart.size, 64 MiB by Hadoop's
    // default) on the heap when its stream opens, even for a 200-byte manifest edit or pin: every
    // commit zeroed 64 MiB, and eight concurrent small writes churned half a gigabyte. 8 MiB parts
    // make that cost 8x smaller; objects above 8 MiB are uploaded in parts, in parallel.
    conf.set(S3A_MULTIPART_SIZE, DEFAULT_MULTIPART_SIZE);
  }

  /**
   * Applied after the user's settings, because IsleDB's correctness depends on them: a user (or a
   * site configuration written for an S3-compatible store) that turns conditional creates off would
   * make every create-if-absent fail; IsleDB's creates always ask for the condition, and {@link
   * #checkAtomicCreate()} verifies that the server honours it. (The create-performance mode, {@code
   * fs.s3a.create.performance}, needs nothing forced: IsleDB sets it per file, and it skips only
   * S3A's HEAD/LIST overwrite probes, not the {@code If-None-Match} condition.)
   */
  static void forceSettings(Configuration conf, String where) {
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

  @Override
  public void put(String name, byte[] data) throws IOException {
    try (FSDataOutputStream out = createForWrite(name)) {
      out.write(data);
    }
  }

  @Override
  public ObjectUpload startUpload(String name) throws IOException {
    return StreamUpload.direct(ctx, name, createForWrite(name));
  }

  /**
   * An S3A stream that replaces {@code name} when closed. The performance flag skips the HEAD and
   * LIST probes that guard against overwriting a directory, which IsleDB never has where it writes.
   */
  private FSDataOutputStream createForWrite(String name) throws IOException {
    return (FSDataOutputStream)
        ctx.fs()
            .createFile(ctx.path(name))
            .overwrite(true)
            .recursive()
            .opt(S3A_CREATE_PERFORMANCE, true)
            .build();
  }

  /**
   * The S3A conditional PUT ({@code If-None-Match: *}). The loser learns it lost only at close() (a
   * 412), and so does a writer whose first attempt landed but whose response was lost and whose
   * retry then hit its own object. Any failure is therefore settled by reading the object back.
   */
  @Override
  public boolean createIfAbsent(String name, byte[] data) throws IOException {
    try {
      conditionalPut(name, data);
    } catch (IOException e) {
      LOG.debug(
          "conditional create of {} failed, re-reading it: {}",
          ctx.where(name),
          redact(e.toString()));
      Optional<Boolean> ours = ctx.holdsOurBytes(name, data);
      if (ours.isEmpty()) {
        throw e;
      }
      return ours.get();
    }
    ctx.counters().written(data.length);
    return true;
  }

  /** One PUT with {@code If-None-Match: *}; a lost race fails at close (412). */
  private void conditionalPut(String name, byte[] data) throws IOException {
    FSDataOutputStream out =
        (FSDataOutputStream)
            ctx.fs()
                .createFile(ctx.path(name))
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
  public boolean atomicCreate() {
    return true;
  }

  @Override
  public boolean stagesWrites() {
    return false; // S3A publishes uploads at completion; nothing is staged under the prefix
  }

  @Override
  public boolean flatKeySpace() {
    return true;
  }

  @Override
  public void checkAtomicCreate() {
    if (atomicCreateVerified) {
      return;
    }
    synchronized (probeLock) {
      if (!atomicCreateVerified) {
        String server = server(ctx.fs());
        if (!VERIFIED_SERVERS.contains(server)) {
          probeAtomicity();
          VERIFIED_SERVERS.add(server);
        }
        atomicCreateVerified = true;
      }
    }
  }

  /**
   * Creates a fresh probe object twice with {@code If-None-Match: *}: the second create must fail
   * with 412. A server that ignores the condition (some S3-compatible stores, or a proxy that drops
   * the header) lets it replace the first, which would let two writers both "win" a manifest slot.
   * Cost: 2 PUTs and 1 DELETE, once per server and process; the probe object is always deleted.
   */
  private void probeAtomicity() {
    String name = PROBE_DIR + "/" + UUID.randomUUID();
    String location = ctx.location();
    String what = "the create-if-absent check of " + location + " (probe object " + name + ")";
    try {
      ctx.counters().count(RequestKind.CREATE_IF_ABSENT);
      try {
        conditionalPut(name, "first".getBytes(StandardCharsets.UTF_8));
      } catch (IOException | RuntimeException e) {
        throw IsleException.unavailable(
            what + ": the first conditional create failed: " + redact(e.toString()), redacted(e));
      }
      ctx.counters().count(RequestKind.CREATE_IF_ABSENT);
      try {
        conditionalPut(name, "second".getBytes(StandardCharsets.UTF_8));
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
        ctx.deleteAll(List.of(name));
      } catch (IsleException e) {
        LOG.warn("cannot delete the probe object {}: {}", ctx.where(name), e.getMessage());
      }
    }
  }

  /**
   * Whether a conditional create lost to an existing object (412 Precondition Failed). S3A reports
   * it as {@code RemoteFileChangedException}; a 412 it did not translate arrives wrapped in its
   * {@code AWSServiceIOException} (tested through Hadoop's types: isle-core does not use the AWS
   * SDK directly, see ArchitectureTest).
   */
  private static boolean preconditionFailed(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.apache.hadoop.fs.s3a.RemoteFileChangedException
          || t instanceof org.apache.hadoop.fs.FileAlreadyExistsException
          || (t instanceof org.apache.hadoop.fs.s3a.AWSServiceIOException se
              && se.statusCode() == 412)) {
        return true;
      }
    }
    return false;
  }
}
