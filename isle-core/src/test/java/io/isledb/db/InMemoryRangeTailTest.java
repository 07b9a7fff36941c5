package io.isledb.db;

import io.isledb.ObjectStore;
import io.isledb.storage.InMemoryObjectStore;

class InMemoryRangeTailTest extends RangeTailModelTestBase {
  @Override
  protected ObjectStore openStore(String hint) {
    return new InMemoryObjectStore();
  }
}
