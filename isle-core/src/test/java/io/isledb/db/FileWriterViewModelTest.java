package io.isledb.db;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FileWriterViewModelTest extends WriterViewModelTestBase {
  @TempDir Path dir;

  @Override
  protected ObjectStore openStore(String hint) {
    return IsleDB.openStore(dir.toUri().toString(), hint);
  }
}
