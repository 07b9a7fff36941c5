package io.isledb.db.fork;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FileRetireModelTest extends RetireModelTestBase {
  @TempDir Path dir;

  @Override
  protected ObjectStore openStore(String hint) {
    return IsleDB.openStore(dir.toUri().toString(), hint);
  }
}
