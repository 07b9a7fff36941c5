package io.isledb.db;

import io.isledb.ObjectStore;
import io.isledb.storage.FaultInjectingObjectStore;
import io.isledb.storage.FaultInjectingObjectStore.Operation;
import io.isledb.storage.InMemoryObjectStore;
import java.time.Duration;

/** The flushAsync model test in memory, with slow uploads so several flushes are in flight. */
class InMemoryFlushAsyncModelTest extends FlushAsyncModelTestBase {
  @Override
  protected ObjectStore openStore(String hint) {
    return FaultInjectingObjectStore.builder(new InMemoryObjectStore())
        .latency(Operation.UPLOAD, Duration.ofMillis(3))
        .build();
  }
}
