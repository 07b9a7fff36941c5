package io.isledb.db;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The recorded grace period on {@code file://}. */
class GracePeriodLocalTest extends GracePeriodContractBase {
  @TempDir Path dir;

  @Override
  protected ObjectStore openStore() {
    return IsleDB.openStore(dir.toUri().toString(), "db");
  }
}
