package io.isledb.db;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The rollback interleaving model test on file://. */
class FileRollbackInterleavingModelTest extends RollbackInterleavingModelTestBase {
  @TempDir Path dir;

  @Override
  protected ObjectStore openStore(String hint) {
    return IsleDB.openStore(dir.toUri().toString(), hint);
  }
}
