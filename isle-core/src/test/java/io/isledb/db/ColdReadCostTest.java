package io.isledb.db;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ColdReadCosts} on {@code file://} (through RangedReads' open file handles). */
class ColdReadCostTest {
  @TempDir Path dir;

  @Test
  void coldLookupsReadOneRangedGetPerColdBlock() {
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "db")) {
      ColdReadCosts.fill(store);
      ColdReadCosts.assertColdLookups(store, null);
    }
  }

  @Test
  void longScansReadAheadShortScansDoNot() {
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "db")) {
      ColdReadCosts.fill(store);
      ColdReadCosts.assertScanReadahead(store, null);
    }
  }
}
