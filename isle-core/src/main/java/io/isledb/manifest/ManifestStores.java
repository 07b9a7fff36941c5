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
   * caller closes it ({@link ManifestStore#close()}). A store other than the object store is handed
   * to {@code store}'s {@link ManifestStoreDecorator} if it is one (a test's hooked object store).
   *
   * @throws IsleException of kind INVALID_ARGUMENT, naming the option, for a kind that is not
   *     available
   */
  public static ManifestStore open(ObjectStore store, ManifestStoreConfig config) {
    switch (config.kind()) {
      case OBJECT_STORE:
        return new ObjectStoreManifestStore(store);
      case JDBC:
        return decorated(store, JdbcManifestStore.open(store, config));
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

  /** A manifest store apart from {@code store}, seen by the store's test hooks if it has any. */
  private static ManifestStore decorated(ObjectStore store, ManifestStore opened) {
    return store instanceof ManifestStoreDecorator d ? d.decorateManifestStore(opened) : opened;
  }
}
