package io.isledb.storage;

import static io.isledb.storage.Redaction.redact;

import java.io.IOException;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes on {@code abfs://} and {@code abfss://}: staged in a hidden temp file and renamed into
 * place (see {@link StagedWrites}); create-if-absent renames without overwriting, which Azure makes
 * atomic.
 */
final class AbfsWrites extends StagedWrites {
  private static final Logger LOG = LoggerFactory.getLogger(AbfsWrites.class);

  AbfsWrites(StoreContext ctx) {
    super(ctx);
  }

  /** IsleDB's defaults, applied before the user's settings (which may override them). */
  static void configureDefaults(Configuration conf) {
    // hadoop-azure 3.5.0's read-footer metrics, shared by all streams of a file system, throw
    // NullPointerExceptions under concurrent reads; keep only the backoff metrics.
    conf.set("fs.azure.metrics.format", "INTERNAL_BACKOFF_METRIC_FORMAT");
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
  @Override
  public boolean createIfAbsent(String name, byte[] data) throws IOException {
    Path target = ctx.path(name);
    Path tmp = tempPath(name);
    boolean renamed = false;
    IOException renameFailure = null;
    try {
      FSDataOutputStream out = ctx.fs().create(tmp, false);
      ctx.hooks().afterStagedCreate.accept(name); // a "crash" here leaves the stream unclosed
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
        ctx.deleteQuietly(tmp);
      }
    }
    if (renamed) {
      ctx.counters().written(data.length);
      return true;
    }
    LOG.debug(
        "rename onto {} failed, re-reading it: {}",
        ctx.where(name),
        renameFailure == null ? "the name is taken" : redact(renameFailure.toString()));
    Optional<Boolean> ours = ctx.holdsOurBytes(name, data);
    if (ours.isPresent()) {
      return ours.get();
    }
    if (renameFailure != null) {
      throw renameFailure;
    }
    throw new IOException(
        "the rename of the staged object onto " + name + " failed and no object holds the name");
  }

  @Override
  public boolean atomicCreate() {
    return true;
  }
}
