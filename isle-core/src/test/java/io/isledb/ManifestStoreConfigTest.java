package io.isledb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.storage.InMemoryObjectStore;
import org.junit.jupiter.api.Test;

/**
 * Selecting the manifest store by configuration: the object store by default; the JDBC kind is used
 * wherever a database is opened (a server that cannot be reached fails the open with UNAVAILABLE
 * naming the server, never the password, and writes nothing to the object store); an unknown kind
 * in an option is refused naming that option; the password is never shown.
 */
class ManifestStoreConfigTest {
  private static final ManifestStoreConfig JDBC =
      ManifestStoreConfig.jdbc(
          "jdbc:postgresql://db.example:5432/isle?password=inurl", "isle", () -> "s3cret");

  @Test
  void theDefaultIsTheObjectStore() {
    assertThat(DBOptions.defaults().manifestStore()).isEqualTo(ManifestStoreConfig.objectStore());
    try (ObjectStore store = new InMemoryObjectStore();
        IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      db.pin("p", 0);
      assertThat(store.get("manifest/pins/p.json")).isPresent();
    }
  }

  // Port 1 on the loopback: nothing listens there, so the connection is refused at once.
  private static final ManifestStoreConfig UNREACHABLE =
      ManifestStoreConfig.jdbc(
          "jdbc:postgresql://127.0.0.1:1/isle?password=inurl", "isle", () -> "s3cret");

  @Test
  void anUnreachableJdbcStoreFailsEveryOpenAsUnavailableWithoutThePassword() {
    DBOptions options = DBOptions.defaults().withManifestStore(UNREACHABLE);
    try (ObjectStore store = new InMemoryObjectStore()) {
      for (Runnable open :
          new Runnable[] {
            () -> IsleDB.open(store, options),
            () -> IsleDB.openReader(store, ReaderOptions.defaults(), options),
            () -> IsleDB.openTailingReader(store, TailingReaderOptions.defaults(), options),
          }) {
        assertThatThrownBy(open::run)
            .isInstanceOfSatisfying(
                IsleException.class,
                e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.UNAVAILABLE))
            .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/isle")
            .hasMessageNotContaining("s3cret")
            .hasMessageNotContaining("inurl");
      }
      assertThat(store.list("").hasNext()).as("nothing written").isFalse();
    }
  }

  @Test
  void optionValuesParseOrNameTheOption() {
    assertThat(ManifestStoreConfig.Kind.parse("manifest.store", " JDBC "))
        .isEqualTo(ManifestStoreConfig.Kind.JDBC);
    assertThat(ManifestStoreConfig.Kind.parse("manifest.store", "object-store"))
        .isEqualTo(ManifestStoreConfig.Kind.OBJECT_STORE);
    assertThatThrownBy(() -> ManifestStoreConfig.Kind.parse("manifest.store", "zookeeper"))
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
        .hasMessageContaining("manifest.store")
        .hasMessageContaining("zookeeper");
  }

  @Test
  void thePasswordIsNeverShownAndTheConfigIsChecked() {
    assertThat(JDBC.toString())
        .contains("jdbc:postgresql://db.example:5432/isle", "isle")
        .doesNotContain("s3cret", "inurl");
    assertThat(ManifestStoreConfig.jdbc("jdbc:x://u:pw@h/db", "u", () -> null).redactedUrl())
        .isEqualTo("jdbc:x://h/db");
    assertThatThrownBy(() -> ManifestStoreConfig.jdbc(" ", "u", () -> "p"))
        .isInstanceOf(IsleException.class);
    assertThatThrownBy(
            () ->
                new ManifestStoreConfig(
                    ManifestStoreConfig.Kind.OBJECT_STORE, "jdbc:x://h", null, null))
        .isInstanceOf(IsleException.class);
  }
}
