package io.isledb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.ObjectUpload;
import io.isledb.testing.ObjectStoreContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on {@code file://}, plus what only a local directory can show. */
class LocalObjectStoreContractTest extends ObjectStoreContract {
  @TempDir Path dir;

  @Override
  protected ObjectStore openStore() {
    return IsleDB.openStore(dir.toUri().toString(), "db/one", Map.of());
  }

  private Path root() {
    return dir.resolve("db").resolve("one");
  }

  private List<Path> filesOnDisk() throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  /** Whatever a test did, no temp file or checksum side file stays behind. */
  @AfterEach
  void noTemporaryOrChecksumFilesRemain() throws IOException {
    for (Path p : filesOnDisk()) {
      String name = p.getFileName().toString();
      assertThat(name).as("leftover %s", p).doesNotStartWith(".").doesNotEndWith(".crc");
    }
  }

  @Test
  void objectsAreFilesUnderTheDatabaseDirectory() throws IOException {
    store.put("sstable/0a1/x.sst", bytes("data"));
    assertThat(store.createIfAbsent("manifest/log/1", bytes("edit"))).isTrue();
    assertThat(Files.readString(root().resolve("sstable/0a1/x.sst"))).isEqualTo("data");
    assertThat(Files.readString(root().resolve("manifest/log/1"))).isEqualTo("edit");
    assertThat(store.location()).isEqualTo(root().toUri().toString());
  }

  @Test
  void listingSkipsInFlightTemporaryFiles() throws IOException {
    store.put("d/a", bytes("a"));
    try (ObjectUpload up = store.startUpload("d/b")) {
      up.write(bytes("in flight"));
      assertThat(filesOnDisk())
          .anySatisfy(p -> assertThat(p.getFileName().toString()).startsWith("."));
      assertThat(names(store.list(""))).containsExactly("d/a");
    }
    // A temp file a crashed process left behind is never listed either.
    Path stray = root().resolve("d/.tmp-crashed-c");
    Files.writeString(stray, "partial");
    assertThat(names(store.list("d/"))).containsExactly("d/a");
    Files.delete(stray);
  }

  @Test
  void abandonedTemporaryFilesAreDeletedOnceIdleLongEnough() throws IOException {
    store.put("sstable/0a1/live.sst", bytes("live"));
    Path old = root().resolve("sstable/0a1/.tmp-dead-x.sst");
    Path fresh = root().resolve("sstable/0b2/.tmp-busy-y.sst");
    Path elsewhere = root().resolve("blobs/00/.tmp-dead-z.blob");
    for (Path p : List.of(old, fresh, elsewhere)) {
      Files.createDirectories(p.getParent());
      Files.writeString(p, "partial");
    }
    long now = System.currentTimeMillis();
    Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(now - 60_000));
    Files.setLastModifiedTime(elsewhere, java.nio.file.attribute.FileTime.fromMillis(now - 60_000));
    try (ObjectUpload inFlight = store.startUpload("sstable/0c3/inflight.sst")) {
      inFlight.write(bytes("being written"));
      // Only the idle one under the prefix goes; the fresh one and the live upload stay.
      assertThat(store.deleteAbandonedTemporaries("sstable/", now - 10_000)).isEqualTo(1);
      assertThat(old).doesNotExist();
      assertThat(fresh).exists();
      assertThat(elsewhere).exists();
      inFlight.complete();
    }
    assertThat(store.get("sstable/0c3/inflight.sst")).isPresent();
    assertThat(store.get("sstable/0a1/live.sst")).isPresent();
    assertThat(store.deleteAbandonedTemporaries("blobs/", now - 10_000)).isEqualTo(1);
    assertThat(store.deleteAbandonedTemporaries("sstable/", now + 10_000)).isEqualTo(1);
    assertThat(fresh).doesNotExist();
    assertThat(names(store.list("")))
        .containsExactly("sstable/0a1/live.sst", "sstable/0c3/inflight.sst");
  }

  @Test
  void uploadsReplaceLikePut() {
    store.put("u", bytes("old"));
    try (ObjectUpload up = store.startUpload("u")) {
      up.write(bytes("new"));
      up.complete();
    }
    assertThat(store.get("u")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("new")));
  }
}
