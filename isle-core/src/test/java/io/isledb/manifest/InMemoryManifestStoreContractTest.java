package io.isledb.manifest;

import io.isledb.ObjectStore;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.ObjectStoreManifestStoreContract;

/** The manifest-store contract for the object-store manifest on the in-memory store. */
class InMemoryManifestStoreContractTest extends ObjectStoreManifestStoreContract {
  @Override
  protected ObjectStore openObjectStore() {
    return new InMemoryObjectStore();
  }
}
