package io.isledb.db;

import io.isledb.ObjectStore;
import io.isledb.storage.InMemoryObjectStore;

/** The rollback model test in memory. */
class InMemoryRollbackModelTest extends RollbackModelTestBase {
  @Override
  protected ObjectStore openStore(String hint) {
    return new InMemoryObjectStore();
  }
}
