package io.isledb.db;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Table properties and commit users on {@code file://}. */
class TablePropertiesLocalTest extends TablePropertiesContractBase {
  @TempDir Path dir;

  @Override
  protected ObjectStore openStore() {
    return IsleDB.openStore(dir.toUri().toString(), "db");
  }
}
