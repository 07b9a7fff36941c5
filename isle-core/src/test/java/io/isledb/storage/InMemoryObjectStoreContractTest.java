package io.isledb.storage;

import io.isledb.ObjectStore;
import io.isledb.testing.ObjectStoreContract;

/** The reference semantics pass the contract every real store must pass. */
class InMemoryObjectStoreContractTest extends ObjectStoreContract {
  @Override
  protected ObjectStore openStore() {
    return new InMemoryObjectStore();
  }
}
