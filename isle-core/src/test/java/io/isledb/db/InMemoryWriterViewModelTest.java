package io.isledb.db;

import io.isledb.ObjectStore;
import io.isledb.storage.InMemoryObjectStore;

class InMemoryWriterViewModelTest extends WriterViewModelTestBase {
  @Override
  protected ObjectStore openStore(String hint) {
    return new InMemoryObjectStore();
  }
}
