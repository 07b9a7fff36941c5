package io.isledb.flink.connector.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.isledb.IsleException;
import io.isledb.ManifestStoreConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.GlobalConfiguration;
import org.junit.jupiter.api.Test;

/** The connector's {@code manifest.*} options: parsing, validation and redaction. */
class ManifestSettingsTest {
  private static final String PASSWORD = "Pg-Manifest-Secret-4711";
  private static final String URL = "jdbc:postgresql://127.0.0.1:5432/isle";

  private static Map<String, String> jdbc(String url) {
    Map<String, String> o = new HashMap<>();
    o.put("manifest.store", "jdbc");
    if (url != null) {
      o.put("manifest.jdbc.url", url);
    }
    o.put("manifest.jdbc.user", "isle");
    o.put("manifest.jdbc.password", PASSWORD);
    return o;
  }

  @Test
  void theObjectStoreIsTheDefault() {
    TableLocation l = TableLocation.of("file:///tmp/t", Map.of());
    assertThat(l.manifest()).isEqualTo(ManifestSettings.OBJECT_STORE);
    assertThat(l.manifest().config()).isEqualTo(ManifestStoreConfig.objectStore());
    assertThat(SharedTables.dbOptions(l).manifestStore().kind())
        .isEqualTo(ManifestStoreConfig.Kind.OBJECT_STORE);
    assertThat(
            TableLocation.of("file:///tmp/t", Map.of("manifest.store", " Object-Store "))
                .manifest())
        .isEqualTo(ManifestSettings.OBJECT_STORE);
  }

  @Test
  void jdbcOptionsBecomeTheEngineConfigAndTheOpenedDatabasesOptions() {
    TableLocation l = TableLocation.of("file:///tmp/t", jdbc(URL));
    ManifestStoreConfig c = SharedTables.dbOptions(l).manifestStore();
    assertThat(c.kind()).isEqualTo(ManifestStoreConfig.Kind.JDBC);
    assertThat(c.jdbcUrl()).isEqualTo(URL);
    assertThat(c.jdbcUser()).isEqualTo("isle");
    assertThat(c.jdbcPassword().get()).isEqualTo(PASSWORD);
    // Two tables at one path with different manifest stores are different databases.
    assertThat(l).isNotEqualTo(TableLocation.of("file:///tmp/t", Map.of()));
  }

  @Test
  void thePasswordIsInNoStringButSurvivesSerialization() throws Exception {
    TableLocation l = TableLocation.of("file:///tmp/t", jdbc(URL + "?ssl=true"));
    assertThat(l.toString()).contains("jdbc:postgresql://127.0.0.1:5432/isle").contains("isle");
    assertThat(l.toString()).doesNotContain(PASSWORD).doesNotContain("ssl=true");
    assertThat(l.manifest().toString()).doesNotContain(PASSWORD);
    assertThat(l.manifest().config().toString()).doesNotContain(PASSWORD);
    assertThat(l.secretSettings()).containsEntry("manifest.jdbc.password", PASSWORD);

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(l);
    }
    TableLocation back;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (TableLocation) in.readObject();
    }
    assertThat(back).isEqualTo(l);
    assertThat(back.manifest().config().jdbcPassword().get()).isEqualTo(PASSWORD);
  }

  @Test
  void invalidOptionsAreRefusedNamingTheOptionAndNeverThePassword() {
    assertRefused(
        Map.of("manifest.store", "postgres"),
        "option 'manifest.store' is 'postgres'",
        "'object-store' and 'jdbc'");
    assertRefused(
        jdbc(null), "option 'manifest.jdbc.url' is required", "'manifest.store' is 'jdbc'");
    assertRefused(jdbc("  "), "option 'manifest.jdbc.url' is required");
    assertRefused(
        jdbc("postgresql://127.0.0.1/isle"),
        "option 'manifest.jdbc.url' must be a JDBC URL",
        "'postgresql://127.0.0.1/isle'");
    assertRefused(
        jdbc(URL + "?user=isle&password=" + PASSWORD),
        "option 'manifest.jdbc.url' must not hold a password",
        "option 'manifest.jdbc.password'");
    assertRefused(
        jdbc("jdbc:postgresql://127.0.0.1/isle;Password=" + PASSWORD), "must not hold a password");
    assertRefused(
        jdbc("jdbc:postgresql://isle:" + PASSWORD + "@127.0.0.1/isle"), "must not hold a password");
    assertRefused(
        Map.of("manifest.jdbc.url", URL, "manifest.jdbc.password", PASSWORD),
        "[manifest.jdbc.url, manifest.jdbc.password] apply to the jdbc manifest store only",
        "'manifest.store' is 'object-store'");
  }

  private static void assertRefused(Map<String, String> options, String... named) {
    Throwable t = catchThrowable(() -> TableLocation.of("file:///tmp/t", options));
    assertThat(t).isInstanceOf(IsleException.class);
    assertThat(((IsleException) t).kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT);
    for (String n : named) {
      assertThat(t).hasMessageContaining(n);
    }
    assertThat(t.getMessage()).doesNotContain(PASSWORD);
  }

  /** Flink 2.3.0 hides the values of these keys in its logs, web UI and factory errors. */
  @Test
  void flinkAndTheConnectorTreatThePasswordOptionsAsSecrets() {
    for (String key :
        new String[] {"manifest.jdbc.password", "state.backend.isle.manifest.jdbc.password"}) {
      assertThat(GlobalConfiguration.isSensitive(key)).as(key).isTrue();
      assertThat(Secrets.isSecret(key)).as(key).isTrue();
    }
    assertThat(GlobalConfiguration.isSensitive("manifest.jdbc.user")).isFalse();
    assertThat(Secrets.redact(jdbc(URL))).containsEntry("manifest.jdbc.password", Secrets.HIDDEN);
  }

  @Test
  void aNullPasswordIsAllowed() {
    Map<String, String> o = jdbc(URL);
    o.remove("manifest.jdbc.password");
    assertThat(TableLocation.of("file:///tmp/t", o).manifest().config().jdbcPassword().get())
        .isNull();
    assertThatThrownBy(() -> ManifestSettings.of(Map.of("manifest.store", "")))
        .hasMessageContaining("option 'manifest.store' is ''");
  }
}
