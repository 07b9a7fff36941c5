package io.isledb.db;

import io.isledb.ObjectStore;
import io.isledb.storage.InMemoryObjectStore;

/** Table properties and commit users on the in-memory store. */
class TablePropertiesInMemoryTest extends TablePropertiesContractBase {
  @Override
  protected ObjectStore openStore() {
    return new InMemoryObjectStore();
  }
}
