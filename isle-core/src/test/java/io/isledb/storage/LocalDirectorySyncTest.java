package io.isledb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.ObjectUpload;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On file:// a new directory is only durable once its parent directory is fsynced: every write that
 * creates a shard directory must sync the parents of the directories it created (issue 8, 14c).
 */
class LocalDirectorySyncTest {
  @TempDir Path dir;
  private final List<Path> synced = new CopyOnWriteArrayList<>();

  @AfterEach
  void resetObserver() {
    LocalFiles.directorySyncObserver = d -> {};
  }

  private ObjectStore open() {
    LocalFiles.directorySyncObserver =
        d -> {
          if (d.startsWith(dir)) {
            synced.add(d);
          }
        };
    return IsleDB.openStore(dir.toUri().toString(), "db", java.util.Map.of());
  }

  @Test
  void aPutThatCreatesShardDirectoriesSyncsTheirParents() {
    try (ObjectStore store = open()) {
      store.put("sstable/0a1/x.sst", new byte[] {1});
      Path root = dir.resolve("db");
      assertThat(synced)
          .as("parents of the created db, sstable and 0a1 directories, then 0a1 for the file")
          .containsSubsequence(dir, root, root.resolve("sstable"), root.resolve("sstable/0a1"));

      synced.clear();
      store.put("sstable/0a1/y.sst", new byte[] {2});
      assertThat(synced)
          .as("no directory created: only the file's own directory is synced")
          .containsExactly(root.resolve("sstable/0a1"));
    }
  }

  @Test
  void createIfAbsentAndUploadsSyncNewDirectoriesToo() {
    try (ObjectStore store = open()) {
      Path root = dir.resolve("db");
      store.put("seed", new byte[] {0});
      synced.clear();
      assertThat(store.createIfAbsent("manifest/log/1", new byte[] {1})).isTrue();
      assertThat(synced).contains(root, root.resolve("manifest"));

      synced.clear();
      try (ObjectUpload up = store.startUpload("blobs/7f/b.blob")) {
        up.write(new byte[] {3});
        up.complete();
      }
      assertThat(synced).contains(root, root.resolve("blobs"));
    }
  }
}
