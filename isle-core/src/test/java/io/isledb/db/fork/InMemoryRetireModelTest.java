package io.isledb.db.fork;

import io.isledb.ObjectStore;
import io.isledb.storage.InMemoryObjectStore;

class InMemoryRetireModelTest extends RetireModelTestBase {
  @Override
  protected ObjectStore openStore(String hint) {
    return new InMemoryObjectStore(clock);
  }
}
