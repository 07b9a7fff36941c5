package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.CorruptionException;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
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

  @Test
  void aBlockCorruptedOnDiskUnderAnOpenTableIsReportedNeverReturned() throws IOException {
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "db")) {
      ColdReadCosts.fill(store);
      try (Reader r = ColdReadCosts.coldReader(store)) {
        for (int i = 0; i < ColdReadCosts.TABLES; i++) {
          assertThat(r.get(ColdReadCosts.key(i))).isPresent(); // every table open, its file too
        }
        List<Path> tables;
        try (Stream<Path> s = Files.walk(dir)) {
          tables = s.filter(p -> p.toString().endsWith(".sst")).toList();
        }
        assertThat(tables).hasSize(ColdReadCosts.TABLES);
        for (Path t : tables) {
          try (RandomAccessFile f = new RandomAccessFile(t.toFile(), "rw")) {
            // One flipped byte every 2 KiB of the first half: inside data blocks only.
            for (long off = 1000; off < f.length() / 2; off += 2048) {
              f.seek(off);
              int b = f.read();
              f.seek(off);
              f.write(b ^ 0x5A);
            }
          }
        }
        int corrupt = 0;
        for (int i = 3; i < ColdReadCosts.KEYS; i += 97) {
          try {
            Optional<byte[]> v = r.get(ColdReadCosts.key(i));
            assertThat(v).as("key %d", i).isPresent();
            assertThat(ByteBuffer.wrap(v.get()).getInt()).as("key %d", i).isEqualTo(i);
          } catch (CorruptionException e) {
            corrupt++;
          }
        }
        assertThat(corrupt).as("lookups in corrupted blocks").isPositive();
      }
    }
  }
}
