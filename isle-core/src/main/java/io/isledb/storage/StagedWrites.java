package io.isledb.storage;

import io.isledb.ObjectUpload;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.UUID;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;

/**
 * Writes for schemes whose files are visible while being written (ABFS shows an empty blob from
 * create() on; HDFS shows partial files): every object is written to a hidden temp sibling and
 * renamed into place, so readers see all of it or nothing. The subclasses differ in their
 * create-if-absent: {@link AbfsWrites} (atomic no-overwrite rename) and {@link UnsafeWrites}.
 */
abstract class StagedWrites implements WriteStrategy {
  /** Attempts of {@link #publishByRename} when other writers keep replacing the same object. */
  private static final int PUBLISH_ATTEMPTS = 3;

  final StoreContext ctx;

  StagedWrites(StoreContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void put(String name, byte[] data) throws IOException {
    Path tmp = tempPath(name);
    boolean published = false;
    try {
      try (FSDataOutputStream out = ctx.fs().create(tmp, false)) {
        out.write(data);
      }
      publishByRename(tmp, ctx.path(name));
      published = true;
    } finally {
      if (!published) {
        ctx.deleteQuietly(tmp);
      }
    }
  }

  @Override
  public ObjectUpload startUpload(String name) throws IOException {
    Path tmp = tempPath(name);
    return StreamUpload.staged(ctx, name, ctx.fs().create(tmp, false), tmp, this);
  }

  /** A fresh hidden sibling of {@code name} to stage a write in. */
  Path tempPath(String name) {
    Path target = ctx.path(name);
    return new Path(
        target.getParent(), ObjectNames.TEMP_PREFIX + UUID.randomUUID() + "-" + target.getName());
  }

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
      if (!ctx.fs().exists(tmp)) {
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
      if (!ctx.fs().exists(target)) {
        continue; // another writer moved it away meanwhile: plain rename again
      }
      Path aside =
          new Path(target.getParent(), ObjectNames.TEMP_PREFIX + UUID.randomUUID() + "-old");
      if (!renameNoReplace(target, aside)) {
        continue; // replaced or moved by another writer meanwhile
      }
      boolean published = false;
      try {
        published = renameNoReplace(tmp, target);
      } finally {
        if (published) {
          ctx.deleteQuietly(aside);
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
  boolean renameNoReplace(Path src, Path dst) throws IOException {
    try {
      return ctx.fs().rename(src, dst);
    } catch (FileAlreadyExistsException | org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    }
  }

  /** Moves an object that was set aside back into place, unless a newer one took its name. */
  private void restore(Path aside, Path target) throws IOException {
    if (renameNoReplace(aside, target)) {
      return;
    }
    if (ctx.fs().exists(target)) {
      ctx.deleteQuietly(aside); // another writer published a newer object meanwhile
      return;
    }
    throw new IOException(
        "cannot move the previous "
            + target.getName()
            + " back from "
            + aside.getName()
            + " after a failed replace; it is kept there");
  }
}
