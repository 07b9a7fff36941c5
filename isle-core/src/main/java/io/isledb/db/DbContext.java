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

  /** A new unique id. */
  public String newId() {
    return Ids.next(options.idSource());
  }
}
