package io.isledb.storage;

import static io.isledb.storage.Redaction.redact;
import static io.isledb.storage.Redaction.redacted;

import io.isledb.IsleException;
import io.isledb.ObjectUpload;
import io.isledb.RequestStats.RequestKind;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.fs.BulkDelete;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FutureDataInputStreamBuilder;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.functional.FutureIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the parts of one Hadoop-backed store share: the file system and database root, the request
 * counters, the redacted location for messages, and the few operations every write strategy and
 * helper needs (open, read back, bulk delete, failure reporting). The helpers get this instead of
 * the whole {@link HadoopObjectStore}.
 *
 * @param fs the store's private FileSystem instance
 * @param root the database root (base URI plus prefix)
 * @param rootPath the path part of {@code root}, to turn listed paths back into object names
 * @param location the root as shown to users (credentials removed), ending with '/'
 * @param counters the request counters behind {@link io.isledb.ObjectStore#stats()}
 * @param listPageSize names per LIST request of a flat (S3) listing, to count its pages
 * @param closed whether the store was closed
 * @param hooks test hooks
 * @param fsRelease closes the FileSystem, or gives back this store's share of a shared one
 */
record StoreContext(
    FileSystem fs,
    Path root,
    String rootPath,
    String location,
    RequestCounters counters,
    int listPageSize,
    AtomicBoolean closed,
    StoreHooks hooks,
    java.io.Closeable fsRelease) {

  private static final Logger LOG = LoggerFactory.getLogger(StoreContext.class);

  private static final String OPENFILE_LENGTH = "fs.option.openfile.length";
  private static final String OPENFILE_READ_POLICY = "fs.option.openfile.read.policy";

  Path path(String name) {
    return new Path(root, name);
  }

  /** The full, redacted location of {@code name}, for messages. */
  String where(String name) {
    return location + name;
  }

  void checkOpen() {
    if (closed.get()) {
      throw IsleException.closed("object store " + location);
    }
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

  /** An upload that cannot complete because the store was closed is abandoned, not leaked. */
  void checkCompletable(ObjectUpload upload, boolean done, String name) {
    if (done) {
      throw IsleException.closed("upload of " + where(name));
    }
    if (closed.get()) {
      upload.close();
      checkOpen();
    }
  }

  void deleteQuietly(Path tmp) {
    try {
      fs.delete(tmp, false);
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot delete temporary file {}: {}", redact(tmp.toString()), redact(e.toString()));
    }
  }

  /**
   * Opens {@code name}. With a known length S3A issues no HEAD (the GET is the only request); the
   * read policy tells it to fetch only what is asked (random) or to stream everything (whole-file).
   */
  FSDataInputStream open(String name, long knownLength, String readPolicy) throws IOException {
    FutureDataInputStreamBuilder b = fs.openFile(path(name)).opt(OPENFILE_READ_POLICY, readPolicy);
    if (knownLength >= 0) {
      b = b.opt(OPENFILE_LENGTH, knownLength);
    }
    return FutureIO.awaitFuture(b.build());
  }

  /**
   * Whether the existing object holds exactly {@code data}, or empty if there is no object. Called
   * when a create found the name taken: equal bytes mean our own earlier attempt landed (a retried
   * request whose first response was lost), so this call did create it.
   */
  Optional<Boolean> holdsOurBytes(String name, byte[] data) throws IOException {
    counters.count(RequestKind.GET);
    try (FSDataInputStream in = open(name, -1, "whole-file")) {
      byte[] existing = in.readAllBytes();
      counters.read(existing.length);
      return Optional.of(Arrays.equals(existing, data));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Deletes many objects through the bulk-delete API, one request per page; missing ones are ok.
   */
  void deleteAll(Collection<String> names) {
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
}
