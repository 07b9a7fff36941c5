package io.isledb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.PostgresServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ManifestStoreConfig#fromOptions} (the connector's, the state backend's and the CLI's
 * options) and the read-only entry points that take a manifest store and adopt the database's
 * recorded grace period, on a real PostgreSQL server.
 */
class ManifestStoreOptionsTest {
  @RegisterExtension static final PostgresServerExtension PG = PostgresServerExtension.shared();

  private static final String PW = "Core-Options-Secret-2718";

  @Test
  void optionsSelectTheStoreOrNameTheOption() {
    assertThat(ManifestStoreConfig.fromOptions(Map.of(), "manifest."))
        .isEqualTo(ManifestStoreConfig.objectStore());
    ManifestStoreConfig c =
        ManifestStoreConfig.fromOptions(
            Map.of(
                "x.store", "JDBC",
                "x.jdbc.url", " jdbc:postgresql://h:5432/d ",
                "x.jdbc.user", "u",
                "x.jdbc.password", PW),
            "x.");
    assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/d");
    assertThat(c.jdbcUser()).isEqualTo("u");
    assertThat(c.jdbcPassword().get()).isEqualTo(PW);
    assertThatThrownBy(
            () ->
                ManifestStoreConfig.fromOptions(
                    Map.of("s", "jdbc", "u", "jdbc:postgresql://u:" + PW + "@h/d"),
                    "s",
                    "u",
                    "n",
                    "p"))
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
        .hasMessageContaining("option 'u' must not hold a password (give it in option 'p')")
        .hasMessageNotContaining(PW);
    assertThatThrownBy(() -> ManifestStoreConfig.fromOptions(Map.of("x.jdbc.user", "u"), "x."))
        .hasMessageContaining("[x.jdbc.user] apply to the jdbc manifest store only");
  }

  @Test
  void readOnlyToolsReadWithTheManifestStoreAndTheRecordedGracePeriod() {
    ManifestStoreConfig jdbc = PG.config(PG.newDatabase("options"));
    byte[] k = "k".getBytes(StandardCharsets.UTF_8);
    try (ObjectStore store = new InMemoryObjectStore()) {
      // A grace period other than the default: a reader with default DBOptions would be refused.
      DBOptions options =
          DBOptions.defaults().withManifestStore(jdbc).withGcGracePeriod(Duration.ofMinutes(3));
      try (IsleDB db = IsleDB.open(store, options)) {
        assertThat(db.holdsManifest()).as("nothing committed yet").isFalse();
        try (Writer w = db.openWriter(WriterOptions.defaults())) {
          w.put(k, k);
          w.flush();
        }
        assertThat(db.holdsManifest()).as("its manifest is in PostgreSQL").isTrue();
      }
      try (IsleDB onTheObjectStore = IsleDB.open(store, DBOptions.defaults())) {
        assertThat(onTheObjectStore.holdsManifest()).isFalse();
      }
      try (Reader r = IsleDB.openReader(store, ReaderOptions.defaults(), jdbc);
          ReadView v = r.snapshot()) {
        assertThat(v.get(k).orElseThrow()).isEqualTo(k);
      }
      try (TailingReader t =
          IsleDB.openTailingReader(store, TailingReaderOptions.defaults(), jdbc)) {
        assertThat(t.poll(t.earliest(), 10).changes()).hasSize(1);
      }
      assertThat(store.list("manifest/").hasNext()).as("no manifest on the store").isFalse();
    }
  }
}
