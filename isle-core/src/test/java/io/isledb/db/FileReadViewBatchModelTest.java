package io.isledb.db;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FileReadViewBatchModelTest extends ReadViewBatchModelTestBase {
  @TempDir Path dir;

  @Override
  protected ObjectStore openStore(String hint) {
    return IsleDB.openStore(dir.toUri().toString(), hint);
  }

  @Override
  protected int versions() {
    return 30;
  }
}
