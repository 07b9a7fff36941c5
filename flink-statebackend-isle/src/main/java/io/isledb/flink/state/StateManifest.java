package io.isledb.flink.state;

import io.isledb.IsleException;
import io.isledb.ManifestStoreConfig;
import io.isledb.ManifestStoreConfig.Kind;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Where the manifests of a backend's databases are kept (the {@code state.backend.isle.manifest.*}
 * options): every database the backend opens (its own, fork sources, databases it retires, restore
 * sources) uses it. Serializable with the backend; the password never appears in {@link
 * #toString()}, a message or a checkpoint handle (handles name no manifest store: the restoring
 * backend's configuration supplies it).
 *
 * @param kind which store
 * @param url the JDBC URL ({@link Kind#JDBC} only)
 * @param user the database user ({@link Kind#JDBC} only, may be null)
 * @param password the user's password ({@link Kind#JDBC} only, may be null)
 */
record StateManifest(Kind kind, String url, String user, String password) implements Serializable {
  private static final long serialVersionUID = 1L;

  static final StateManifest OBJECT_STORE = new StateManifest(Kind.OBJECT_STORE, null, null, null);

  private static final List<ConfigOption<String>> OPTIONS =
      List.of(
          IsleStateBackendOptions.MANIFEST_STORE,
          IsleStateBackendOptions.MANIFEST_JDBC_URL,
          IsleStateBackendOptions.MANIFEST_JDBC_USER,
          IsleStateBackendOptions.MANIFEST_JDBC_PASSWORD);

  /**
   * {@code current}, or the manifest store {@code config} names if it sets any manifest option (the
   * four options are read together).
   *
   * @throws IllegalConfigurationException naming the option and its value (never the password)
   */
  static StateManifest configure(ReadableConfig config, StateManifest current) {
    Map<String, String> set = new HashMap<>();
    for (ConfigOption<String> o : OPTIONS) {
      config.getOptional(o).ifPresent(v -> set.put(o.key(), v));
    }
    if (set.isEmpty()) {
      return current;
    }
    ManifestStoreConfig c;
    try {
      c = ManifestStoreConfig.fromOptions(set, IsleStateBackendOptions.MANIFEST_PREFIX);
    } catch (IsleException e) {
      throw new IllegalConfigurationException(e.getMessage());
    }
    return c.kind() == Kind.OBJECT_STORE
        ? OBJECT_STORE
        : new StateManifest(Kind.JDBC, c.jdbcUrl(), c.jdbcUser(), c.jdbcPassword().get());
  }

  /** The engine's configuration (the password supplied from this record when connecting). */
  ManifestStoreConfig config() {
    if (kind == Kind.OBJECT_STORE) {
      return ManifestStoreConfig.objectStore();
    }
    String p = password;
    return ManifestStoreConfig.jdbc(url, user, () -> p);
  }

  /** The kind, the URL without parameters and the user: never the password. */
  @Override
  public String toString() {
    return config().toString();
  }
}
