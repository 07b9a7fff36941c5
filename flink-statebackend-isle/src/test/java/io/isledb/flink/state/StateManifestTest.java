package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.isledb.ManifestStoreConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code state.backend.isle.manifest.*} options: parsing, validation, redaction, wiring. */
class StateManifestTest {
  private static final String PASSWORD = "Backend-Manifest-Secret-9271";
  private static final String URL = "jdbc:postgresql://127.0.0.1:1/nodb";

  @TempDir Path dir;

  private static Configuration jdbc(String url) {
    Configuration c = new Configuration();
    c.set(IsleStateBackendOptions.MANIFEST_STORE, "jdbc");
    if (url != null) {
      c.set(IsleStateBackendOptions.MANIFEST_JDBC_URL, url);
    }
    c.set(IsleStateBackendOptions.MANIFEST_JDBC_USER, "isle");
    c.set(IsleStateBackendOptions.MANIFEST_JDBC_PASSWORD, PASSWORD);
    return c;
  }

  @Test
  void theObjectStoreIsTheDefaultAndJdbcReachesTheDatabaseOptions() {
    Maintenance d = Maintenance.configure(new Configuration(), Maintenance.DEFAULTS);
    assertThat(d.dbOptions().manifestStore()).isEqualTo(ManifestStoreConfig.objectStore());

    Maintenance m = Maintenance.configure(jdbc(URL + "?ssl=true"), Maintenance.DEFAULTS);
    ManifestStoreConfig c = m.dbOptions().manifestStore();
    assertThat(c.kind()).isEqualTo(ManifestStoreConfig.Kind.JDBC);
    assertThat(c.jdbcUrl()).isEqualTo(URL + "?ssl=true");
    assertThat(c.jdbcUser()).isEqualTo("isle");
    assertThat(c.jdbcPassword().get()).isEqualTo(PASSWORD);
    assertThat(m.toString()).contains(URL).doesNotContain(PASSWORD).doesNotContain("ssl=true");
    // Options not set keep the configured store (configure layers on the original).
    assertThat(Maintenance.configure(new Configuration(), m).manifest).isEqualTo(m.manifest);
  }

  @Test
  void theBackendKeepsItThroughSerializationAndShowsNoPassword() throws Exception {
    IsleStateBackend b = new IsleStateBackend().configure(jdbc(URL), getClass().getClassLoader());
    assertThat(b.toString()).doesNotContain(PASSWORD);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(b);
    }
    IsleStateBackend back;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (IsleStateBackend) in.readObject();
    }
    assertThat(back.toString()).doesNotContain(PASSWORD);
    ManifestStoreConfig c = back.maintenance().dbOptions().manifestStore();
    assertThat(c.jdbcUrl()).isEqualTo(URL);
    assertThat(c.jdbcPassword().get()).isEqualTo(PASSWORD);
  }

  @Test
  void badValuesNameTheOptionAndNeverThePassword() {
    assertRefused(
        configWith(IsleStateBackendOptions.MANIFEST_STORE.key(), "postgres"),
        "option 'state.backend.isle.manifest.store' is 'postgres'");
    assertRefused(jdbc(null), "option 'state.backend.isle.manifest.jdbc.url' is required");
    assertRefused(
        jdbc("postgresql://127.0.0.1/db"),
        "option 'state.backend.isle.manifest.jdbc.url' must be a JDBC URL");
    assertRefused(
        jdbc(URL + "?password=" + PASSWORD),
        "must not hold a password",
        "option 'state.backend.isle.manifest.jdbc.password'");
    assertRefused(
        configWith(IsleStateBackendOptions.MANIFEST_JDBC_PASSWORD.key(), PASSWORD),
        "[state.backend.isle.manifest.jdbc.password] apply to the jdbc manifest store only");
  }

  private static Configuration configWith(String key, String value) {
    Configuration c = new Configuration();
    c.setString(key, value);
    return c;
  }

  private void assertRefused(Configuration c, String... named) {
    Throwable t =
        catchThrowable(() -> new IsleStateBackend().configure(c, getClass().getClassLoader()));
    assertThat(t).isInstanceOf(IllegalConfigurationException.class);
    for (String n : named) {
      assertThat(t).hasMessageContaining(n);
    }
    assertThat(t.getMessage()).doesNotContain(PASSWORD);
  }

  @Test
  void flinkHidesThePasswordOption() {
    assertThat(
            GlobalConfiguration.isSensitive(IsleStateBackendOptions.MANIFEST_JDBC_PASSWORD.key()))
        .isTrue();
  }

  /**
   * A keyed backend opens its database with the configured manifest store: nothing listens on the
   * URL's port, so building fails there, naming the manifest database and not its password.
   */
  @Test
  void theBackendsDatabaseUsesTheJdbcManifest() throws Exception {
    try (BackendTestKit kit = new BackendTestKit(dir, jdbc(URL))) {
      Throwable t = catchThrowable(() -> kit.create(IntSerializer.INSTANCE));
      assertThat(t).isNotNull();
      String all = ExceptionUtils.stringifyException(t);
      assertThat(all).contains("jdbc:postgresql://127.0.0.1:1/nodb").doesNotContain(PASSWORD);
    }
  }
}
