package io.isledb.db;

import io.isledb.DBOptions;
import io.isledb.ObjectStore;
import io.isledb.manifest.ManifestStore;
import java.time.Clock;

/** What every component of one open database shares. */
public record DbContext(ObjectStore store, ManifestStore manifest, DBOptions options) {
  public DbContext(ObjectStore store, DBOptions options) {
    this(store, new ManifestStore(store), options);
  }

  public Clock clock() {
    return options.clock();
  }

  /**
   * An appender for {@code role} starting at the newest version (not fenced yet). The version is
   * found by listing snapshots, not through CURRENT: the appender takes its head as confirmed, and
   * a CURRENT that moved backwards to a snapshot that still exists (a rewrite that landed late)
   * would start it at a stale version whose next slot GC already collected; its fence would land
   * there, where nobody reads. Costs a LIST where a cold open through CURRENT costs a GET.
   */
  public io.isledb.manifest.ManifestAppender appender(io.isledb.manifest.Role role, String author) {
    io.isledb.manifest.ManifestState head = manifest.loadLatestListed();
    return new io.isledb.manifest.ManifestAppender(
        manifest,
        role,
        author,
        options.clock(),
        head,
        head.seq(),
        options.snapshotEvery(),
        options.lsnExtractor() != null,
        options.gcGracePeriod().toMillis() / 2);
  }

  /** A new unique id. */
  public String newId() {
    return Ids.next(options.idSource());
  }
}
