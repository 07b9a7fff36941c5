package io.isledb.manifest;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.testing.ObjectStoreManifestStoreContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The manifest-store contract for the object-store manifest on {@code file://}. */
class LocalManifestStoreContractTest extends ObjectStoreManifestStoreContract {
  @TempDir Path dir;
  private int n;

  @Override
  protected ObjectStore openObjectStore() {
    return IsleDB.openStore(dir.toUri().toString(), "db/m" + (n++), Map.of());
  }
}
