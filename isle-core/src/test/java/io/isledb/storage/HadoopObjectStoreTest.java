package io.isledb.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening stores, scheme handling and failure mapping of {@link HadoopObjectStore}. */
class HadoopObjectStoreTest {
  @TempDir Path dir;

  private static final Map<String, String> OTHER_FS =
      Map.of("fs.otherfs.impl", OtherSchemeFileSystem.class.getName());

  private String otherUri() {
    return "otherfs://" + dir.toAbsolutePath();
  }

  private static void assertKind(Throwable t, IsleException.Kind kind) {
    assertThat(t).isInstanceOf(IsleException.class);
    assertThat(((IsleException) t).kind()).isEqualTo(kind);
  }

  @Test
  void badPrefixesAreRejected() {
    for (String prefix : List.of("", "..", "a/../b", "/abs", "a//b", "a b", ".hidden")) {
      assertThatThrownBy(() -> IsleDB.openStore(dir.toUri().toString(), prefix))
          .as("prefix '%s'", prefix)
          .satisfies(t -> assertKind(t, IsleException.Kind.INVALID_ARGUMENT));
    }
  }

  @Test
  void badUrisAreRejected() {
    for (String uri : List.of("", "no-scheme/dir", "file:relative/dir", "s3a://bad uri")) {
      assertThatThrownBy(() -> IsleDB.openStore(uri, "db"))
          .as("uri '%s'", uri)
          .satisfies(t -> assertKind(t, IsleException.Kind.INVALID_ARGUMENT))
          .hasMessageContaining(uri);
    }
  }

  @Test
  void theDatabaseRootIsUriPlusPrefix() throws Exception {
    try (ObjectStore a = IsleDB.openStore(dir.toUri().toString(), "tenant/db/");
        ObjectStore b = IsleDB.openStore("file://" + dir.toAbsolutePath() + "/", "tenant/db")) {
      a.put("x", "1".getBytes(UTF_8));
      assertThat(b.get("x")).hasValueSatisfying(v -> assertThat(v).isEqualTo("1".getBytes(UTF_8)));
      assertThat(Files.readString(dir.resolve("tenant/db/x"))).isEqualTo("1");
      assertThat(a.location()).isEqualTo("file://" + dir.toAbsolutePath() + "/tenant/db/");
      assertThat(a.hasAtomicCreateIfAbsent()).isTrue();
    }
  }

  @Test
  void schemesWithoutAnAtomicPrimitiveRefuseCreateIfAbsent() {
    try (ObjectStore store = IsleDB.openStore(otherUri(), "db", OTHER_FS)) {
      assertThat(store.hasAtomicCreateIfAbsent()).isFalse();
      assertThatThrownBy(() -> store.createIfAbsent("manifest/log/1", "x".getBytes(UTF_8)))
          .satisfies(t -> assertKind(t, IsleException.Kind.INVALID_ARGUMENT))
          .hasMessageContaining("'otherfs'")
          .hasMessageContaining(UnsafeWrites.UNSAFE_CREATE_IF_ABSENT);
      assertThat(store.get("manifest/log/1")).isEmpty();

      // Everything else works on any Hadoop scheme.
      store.put("b/2", "two".getBytes(UTF_8));
      store.put("a-c", "ac".getBytes(UTF_8));
      store.put("a/1", "one".getBytes(UTF_8));
      assertThat(store.get("b/2"))
          .hasValueSatisfying(v -> assertThat(v).isEqualTo("two".getBytes(UTF_8)));
      assertThat(store.getRange("b/2", 3, 1, 5))
          .hasValueSatisfying(v -> assertThat(v).isEqualTo("wo".getBytes(UTF_8)));
      List<String> names = new ArrayList<>();
      store.list("").forEachRemaining(i -> names.add(i.name()));
      assertThat(names).containsExactly("a-c", "a/1", "b/2");
      store.delete("b/2");
      assertThat(store.stat("b/2")).isEmpty();
    }
  }

  @Test
  void unsafeCreateIfAbsentIsAnExplicitOptIn() {
    Map<String, String> conf = new java.util.HashMap<>(OTHER_FS);
    conf.put(UnsafeWrites.UNSAFE_CREATE_IF_ABSENT, "true");
    try (ObjectStore store = IsleDB.openStore(otherUri(), "db", conf)) {
      assertThat(store.hasAtomicCreateIfAbsent()).as("opting in does not make it atomic").isFalse();
      assertThat(store.createIfAbsent("log/1", "first".getBytes(UTF_8))).isTrue();
      assertThat(store.createIfAbsent("log/1", "second".getBytes(UTF_8))).isFalse();
      assertThat(store.createIfAbsent("log/1", "first".getBytes(UTF_8))).isTrue();
      assertThat(store.get("log/1"))
          .hasValueSatisfying(v -> assertThat(v).isEqualTo("first".getBytes(UTF_8)));
    }
  }

  @Test
  void closingOneStoreLeavesOthersWorking() {
    ObjectStore first = IsleDB.openStore(otherUri(), "db", OTHER_FS);
    try (ObjectStore second = IsleDB.openStore(otherUri(), "db", OTHER_FS)) {
      first.put("x", "1".getBytes(UTF_8));
      first.close();
      assertThat(second.get("x")).isPresent();
      assertThatThrownBy(() -> first.get("x"))
          .satisfies(t -> assertKind(t, IsleException.Kind.CLOSED));
    }
  }

  @Test
  void storageFailuresAreUnavailableAndNameTheObject() throws Exception {
    // A regular file where the database directory should be makes every write fail.
    Files.writeString(dir.resolve("blocked"), "not a directory");
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "blocked")) {
      String where = "file://" + dir.toAbsolutePath() + "/blocked/sub/x";
      assertThatThrownBy(() -> store.put("sub/x", new byte[1]))
          .satisfies(t -> assertKind(t, IsleException.Kind.UNAVAILABLE))
          .hasMessageContaining("put of " + where);
      assertThatThrownBy(() -> store.createIfAbsent("sub/x", new byte[1]))
          .satisfies(t -> assertKind(t, IsleException.Kind.UNAVAILABLE))
          .hasMessageContaining(where);
      assertThatThrownBy(() -> store.startUpload("sub/x"))
          .satisfies(t -> assertKind(t, IsleException.Kind.UNAVAILABLE))
          .hasMessageContaining(where);
    }
  }

  @Test
  void statReportsSizeAndTime() throws Exception {
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "db")) {
      long before = System.currentTimeMillis() - 2000;
      store.put("s", new byte[42]);
      ObjectInfo info = store.stat("s").orElseThrow();
      assertThat(info.size()).isEqualTo(42);
      assertThat(info.lastModifiedMillis()).isGreaterThan(before);
    }
  }
}
