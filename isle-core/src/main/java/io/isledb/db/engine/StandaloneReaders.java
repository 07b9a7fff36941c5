package io.isledb.db.engine;

import io.isledb.DBOptions;
import io.isledb.ManifestStoreConfig;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.db.DbContext;
import io.isledb.db.read.DbReader;
import io.isledb.db.tail.DbTailingReader;
import io.isledb.util.Internal;
import java.util.Objects;

/**
 * Readers opened without database options on a given manifest store, with the grace period the
 * database records: for read-only tools ({@code IsleDB.openReader(store, options, manifest)}). Each
 * reader owns the manifest store opened for it and closes it (a JDBC store's connections).
 */
@Internal
public final class StandaloneReaders {
  private StandaloneReaders() {}

  /** The implementation of {@code IsleDB.openReader(ObjectStore, ReaderOptions, manifest)}. */
  public static Reader openReader(
      ObjectStore store, ReaderOptions options, ManifestStoreConfig manifest) {
    Objects.requireNonNull(options, "options");
    return new DbReader(context(store, manifest), options, true);
  }

  /** The implementation of {@code IsleDB.openTailingReader(..., manifest)}. */
  public static TailingReader openTailingReader(
      ObjectStore store, TailingReaderOptions options, ManifestStoreConfig manifest) {
    Objects.requireNonNull(options, "options");
    return new DbTailingReader(context(store, manifest), options, true);
  }

  private static DbContext context(ObjectStore store, ManifestStoreConfig manifest) {
    Objects.requireNonNull(store, "store");
    DbContext ctx = new DbContext(store, DBOptions.defaults().withManifestStore(manifest));
    try {
      return ctx.withRecordedGracePeriod();
    } catch (RuntimeException e) {
      ctx.manifestStore().close(); // opened for this reader alone
      throw e;
    }
  }
}
