package io.isledb.db;

import io.isledb.ObjectStore;
import io.isledb.storage.InMemoryObjectStore;

class InMemoryReadViewBatchModelTest extends ReadViewBatchModelTestBase {
  @Override
  protected ObjectStore openStore(String hint) {
    return new InMemoryObjectStore();
  }
}
