package io.isledb.manifest;

import io.isledb.util.Internal;

/**
 * A test seam: an {@link io.isledb.ObjectStore} decorator that also wants to see the manifest's
 * traffic when the manifest lives elsewhere (a JDBC store). Crash tests install a hooked object
 * store whose kill points name {@code manifest/...} objects; with the manifest on the object store
 * those requests pass through it, with a separate manifest store {@link ManifestStores#open} hands
 * that store to {@link #decorateManifestStore} so the same points still fire. Production object
 * stores do not implement it.
 */
@Internal
public interface ManifestStoreDecorator {
  /**
   * The manifest store to use instead of {@code opened} (a store other than the object store);
   * closing the result closes {@code opened}.
   */
  ManifestStore decorateManifestStore(ManifestStore opened);
}
