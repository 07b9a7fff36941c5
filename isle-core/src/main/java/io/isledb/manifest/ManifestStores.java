package io.isledb.manifest;

import io.isledb.IsleException;
import io.isledb.ManifestStoreConfig;
import io.isledb.ObjectStore;
import io.isledb.manifest.jdbc.JdbcManifestStore;
import io.isledb.util.Internal;

/** Opens the {@link ManifestStore} a {@link ManifestStoreConfig} selects. */
@Internal
public final class ManifestStores {
  private ManifestStores() {}

  /**
   * The manifest store of the database on {@code store} (its tables and blobs stay there); the
   * caller closes it ({@link ManifestStore#close()}).
   *
   * @throws IsleException of kind INVALID_ARGUMENT, naming the option, for a kind that is not
   *     available
   */
  public static ManifestStore open(ObjectStore store, ManifestStoreConfig config) {
    switch (config.kind()) {
      case OBJECT_STORE:
        return new ObjectStoreManifestStore(store);
      case JDBC:
        return JdbcManifestStore.open(store, config);
      default:
        throw IsleException.invalidArgument(
            "DBOptions.manifestStore is "
                + config
                + " for "
                + store.location()
                + ": the "
                + config.kind().optionValue()
                + " manifest store is not available in this version; use"
                + " ManifestStoreConfig.objectStore()");
    }
  }
}
