package io.isledb.db;

import io.isledb.ObjectStore;
import io.isledb.storage.InMemoryObjectStore;

/** The rollback interleaving model test in memory. */
class InMemoryRollbackInterleavingModelTest extends RollbackInterleavingModelTestBase {
  @Override
  protected ObjectStore openStore(String hint) {
    return new InMemoryObjectStore();
  }
}
