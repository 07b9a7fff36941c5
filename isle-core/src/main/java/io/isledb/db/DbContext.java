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
   * An appender for {@code role} starting at the newest version (not fenced yet). Every writing
   * role gets one, so this is where the store's create-if-absent is verified (once per store).
   */
  public io.isledb.manifest.ManifestAppender appender(io.isledb.manifest.Role role, String author) {
    store.checkAtomicCreate();
    io.isledb.manifest.ManifestState head = manifest.loadLatest();
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
