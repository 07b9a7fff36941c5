package io.isledb.db;

import io.isledb.IsleException;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.MetadataReads;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces that every process on a database uses the database's GC grace period. GC deletes an
 * unreferenced object a grace period after first seeing it; writers commit within half of theirs;
 * authors and readers trust a free log slot for half of theirs. A process with a longer grace
 * period than GC's would commit, or read, objects GC has already deleted, and nothing else would
 * notice.
 *
 * <p>The first author of a database records its grace period in {@code manifest/settings.json}
 * (create-if-absent: of racing first authors with different values, exactly one wins and the others
 * are refused). Every author, reader and tailing reader compares its own value with it and is
 * refused with {@link IsleException.Kind#INVALID_ARGUMENT} on a mismatch. A database written before
 * the object existed has none: readers then use their own value, and the next author to open
 * records its value. The check costs one GET per database object ({@code IsleDB}), at the first
 * role it opens; nothing on the write or read path.
 */
final class DatabaseSettings {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseSettings.class);

  /** True once the database is known to record this process's grace period (never reverts). */
  private volatile boolean confirmed;

  /** Settings not yet checked. */
  public DatabaseSettings() {}

  private DatabaseSettings(boolean confirmed) {
    this.confirmed = confirmed;
  }

  /**
   * Before an author's first edit: refuses a grace period other than the database's, and records it
   * if the database has none yet.
   *
   * @throws IsleException of kind INVALID_ARGUMENT on a mismatch, CORRUPTION if the object is
   *     unreadable, UNAVAILABLE if another author is creating it right now (ABFS shows an empty
   *     object until the creator closes it)
   */
  synchronized void checkAuthor(DbContext ctx, String author) {
    checkAuthor(ctx, author, null);
  }

  /**
   * The object's first read, started now on another thread (null if the check is already done), for
   * {@link #checkAuthor(DbContext, String, CompletableFuture)}: an open reads it while it loads the
   * manifest, instead of one round trip after the other.
   */
  CompletableFuture<Optional<ManifestCodec.Settings>> startRead(DbContext ctx) {
    return confirmed ? null : MetadataReads.start(() -> read(ctx));
  }

  /** {@link #checkAuthor(DbContext, String)} with the first read {@code started} (or null). */
  synchronized void checkAuthor(
      DbContext ctx, String author, CompletableFuture<Optional<ManifestCodec.Settings>> started) {
    if (confirmed) {
      return;
    }
    Optional<ManifestCodec.Settings> recorded =
        started != null ? MetadataReads.join(started) : read(ctx);
    if (recorded.isEmpty()) {
      ManifestCodec.Settings mine =
          new ManifestCodec.Settings(
              ctx.options().gcGracePeriod().toMillis(), author, ctx.clock().millis());
      if (ctx.manifestStore()
          .createIfAbsent(ManifestPaths.SETTINGS, ManifestCodec.encodeSettings(mine))) {
        LOG.info(
            "{} recorded the GC grace period {} of {} in {}",
            author,
            ctx.options().gcGracePeriod(),
            ctx.store().location(),
            ManifestPaths.SETTINGS);
        confirmed = true;
        return;
      }
      recorded = read(ctx); // another author was first
      if (recorded.isEmpty()) {
        throw new IsleException(
            IsleException.Kind.UNAVAILABLE,
            ManifestPaths.SETTINGS
                + " of "
                + ctx.store().location()
                + " is being created by another process; retry");
      }
    }
    compare(ctx, recorded.get());
  }

  /**
   * Before a reader opens: refuses a grace period other than the one the database records. A
   * database that records none is read with this process's own.
   */
  synchronized void checkReader(DbContext ctx) {
    if (confirmed) {
      return;
    }
    Optional<ManifestCodec.Settings> recorded = read(ctx);
    if (recorded.isPresent()) {
      compare(ctx, recorded.get());
    }
  }

  /**
   * The context with the database's recorded grace period in place of {@code ctx}'s, for processes
   * that did not choose one (the reader overloads without {@code DBOptions}).
   */
  static DbContext adopt(DbContext ctx) {
    Optional<ManifestCodec.Settings> recorded = read(ctx);
    if (recorded.isEmpty()) {
      return ctx;
    }
    return new DbContext(
        ctx.store(),
        ctx.manifest(),
        ctx.options().withGcGracePeriod(Duration.ofMillis(recorded.get().gcGracePeriodMillis())),
        new DatabaseSettings(true),
        ctx.resources());
  }

  private static Optional<ManifestCodec.Settings> read(DbContext ctx) {
    return ctx.manifestStore()
        .get(ManifestPaths.SETTINGS)
        .filter(b -> b.length > 0) // ABFS: created, bytes not committed yet
        .map(
            b ->
                ManifestCodec.decodeSettings(
                    ctx.store().location() + "/" + ManifestPaths.SETTINGS, b));
  }

  private void compare(DbContext ctx, ManifestCodec.Settings recorded) {
    Duration mine = ctx.options().gcGracePeriod();
    Duration theirs = Duration.ofMillis(recorded.gcGracePeriodMillis());
    if (!mine.equals(theirs)) {
      throw IsleException.invalidArgument(
          "DBOptions.gcGracePeriod is "
              + mine
              + " but the database at "
              + ctx.store().location()
              + " uses "
              + theirs
              + " (recorded in "
              + ManifestPaths.SETTINGS
              + " by "
              + recorded.author()
              + "): every process on a database must use the same grace period; open it with"
              + " DBOptions.withGcGracePeriod(Duration.ofMillis("
              + recorded.gcGracePeriodMillis()
              + "))");
    }
    confirmed = true;
  }
}
