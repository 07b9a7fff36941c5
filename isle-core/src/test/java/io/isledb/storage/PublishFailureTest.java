package io.isledb.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.ObjectUpload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A put or upload whose publication fails (its temp file vanished, or the rename failed) must leave
 * the previous object of that name in place: pins, leases and CURRENT are replaced this way, and
 * losing one makes GC or readers act on a missing object.
 */
class PublishFailureTest {
  @TempDir Path dir;
  private ObjectStore store;

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  @BeforeEach
  void open() {
    NoReplaceFileSystem.hook = (src, dst) -> true;
    store =
        IsleDB.openStore(
            "noreplacefs://" + dir.toAbsolutePath(),
            "db",
            Map.of("fs.noreplacefs.impl", NoReplaceFileSystem.class.getName()));
  }

  @AfterEach
  void close() {
    NoReplaceFileSystem.hook = (src, dst) -> true;
    store.close();
  }

  private List<String> tempFiles() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(ObjectNames.TEMP_PREFIX))
          .map(Path::toString)
          .toList();
    }
  }

  private static boolean isTemp(org.apache.hadoop.fs.Path p) {
    return p.getName().startsWith(ObjectNames.TEMP_PREFIX);
  }

  private void assertHolds(String name, String value) {
    assertThat(store.get(name))
        .as("object %s", name)
        .hasValueSatisfying(v -> assertThat(new String(v, UTF_8)).isEqualTo(value));
  }

  @Test
  void putReplacesWhenRenameNeverOverwrites() throws IOException {
    store.put("manifest/leases/w1", b("v1"));
    store.put("manifest/leases/w1", b("v2"));
    assertHolds("manifest/leases/w1", "v2");
    try (ObjectUpload up = store.startUpload("manifest/leases/w1")) {
      up.write(b("v3"));
      up.complete();
    }
    assertHolds("manifest/leases/w1", "v3");
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void aVanishedTempLeavesThePreviousObject() throws IOException {
    store.put("manifest/pins/p", b("v1"));
    AtomicInteger vanished = new AtomicInteger();
    NoReplaceFileSystem.hook =
        (src, dst) -> {
          // An abandoned-temporaries sweep deletes the temp of a slow put before its rename.
          if (isTemp(src) && dst.getName().equals("p") && vanished.getAndIncrement() == 0) {
            Files.delete(Path.of(src.toUri().getPath()));
          }
          return true;
        };
    assertThatThrownBy(() -> store.put("manifest/pins/p", b("v2")))
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.UNAVAILABLE))
        .hasMessageContaining("manifest/pins/p")
        .hasMessageContaining("vanished");
    assertThat(vanished).hasValue(1);
    assertHolds("manifest/pins/p", "v1");
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void aFailingRenameLeavesThePreviousObject() throws IOException {
    store.put("CURRENT", b("v1"));
    // Every rename of a new temp (".tmp-<uuid>-CURRENT") onto the target fails; moving the old
    // object aside and back still works.
    NoReplaceFileSystem.hook =
        (src, dst) ->
            !(isTemp(src) && src.getName().endsWith("-CURRENT") && dst.getName().equals("CURRENT"));
    assertThatThrownBy(() -> store.put("CURRENT", b("v2")))
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.UNAVAILABLE))
        .hasMessageContaining("CURRENT");
    assertHolds("CURRENT", "v1");
    try (ObjectUpload up = store.startUpload("CURRENT")) {
      up.write(b("v3"));
      assertThatThrownBy(up::complete).isInstanceOf(IsleException.class);
    }
    assertHolds("CURRENT", "v1");
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void anUploadWhoseTempVanishedLeavesThePreviousObject() throws IOException {
    store.put("manifest/leases/sst-1", b("v1"));
    NoReplaceFileSystem.hook =
        (src, dst) -> {
          if (isTemp(src) && dst.getName().equals("sst-1")) {
            Files.deleteIfExists(Path.of(src.toUri().getPath()));
          }
          return true;
        };
    try (ObjectUpload up = store.startUpload("manifest/leases/sst-1")) {
      up.write(b("v2"));
      assertThatThrownBy(up::complete).isInstanceOf(IsleException.class);
    }
    assertHolds("manifest/leases/sst-1", "v1");
  }

  @Test
  void onLocalDisksAVanishedTempLeavesThePreviousObject() throws IOException {
    try (ObjectStore local = IsleDB.openStore(dir.toUri().toString(), "local")) {
      local.put("p", b("v1"));
      ((HadoopObjectStore) local).hooks.beforePublish =
          tmp -> Files.deleteIfExists(Path.of(tmp.toString()));
      assertThatThrownBy(() -> local.put("p", b("v2"))).isInstanceOf(IsleException.class);
      try (ObjectUpload up = local.startUpload("p")) {
        up.write(b("v3"));
        assertThatThrownBy(up::complete).isInstanceOf(IsleException.class);
      }
      ((HadoopObjectStore) local).hooks.beforePublish = tmp -> {};
      assertThat(local.get("p")).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("v1")));
    }
  }
}
