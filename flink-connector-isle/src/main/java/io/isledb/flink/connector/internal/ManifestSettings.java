package io.isledb.flink.connector.internal;

import io.isledb.IsleException;
import io.isledb.ManifestStoreConfig;
import io.isledb.ManifestStoreConfig.Kind;
import java.io.Serializable;
import java.util.Map;

/**
 * A table's manifest store, from its {@code manifest.*} options (docs/flink-connector.md, "Manifest
 * store"): serializable so that it travels with the sources, sinks and lookup functions to the task
 * managers, which open the database with {@link #config()}.
 *
 * <p>The password travels in the operators' serialized form, as the table's Hadoop secrets do (the
 * task managers need it), but never in a split, a checkpoint, a message or {@link #toString()}.
 *
 * @param kind which store
 * @param url the JDBC URL ({@link Kind#JDBC} only, else null)
 * @param user the database user ({@link Kind#JDBC} only, may be null)
 * @param password the user's password ({@link Kind#JDBC} only, may be null)
 */
public record ManifestSettings(Kind kind, String url, String user, String password)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The default: the manifest next to the tables, on the object store. */
  public static final ManifestSettings OBJECT_STORE =
      new ManifestSettings(Kind.OBJECT_STORE, null, null, null);

  /** The prefix of the connector's manifest options. */
  public static final String PREFIX = "manifest.";

  /**
   * The manifest store {@code tableOptions} select ({@code manifest.store} and {@code
   * manifest.jdbc.*}; any other option is ignored), validated by {@link
   * ManifestStoreConfig#fromOptions}.
   *
   * @throws IsleException INVALID_ARGUMENT naming the option and its value (never a password)
   */
  public static ManifestSettings of(Map<String, String> tableOptions) {
    return of(ManifestStoreConfig.fromOptions(tableOptions, PREFIX));
  }

  /** The serializable form of {@code config} (its password supplied once, now). */
  public static ManifestSettings of(ManifestStoreConfig config) {
    if (config.kind() == Kind.OBJECT_STORE) {
      return OBJECT_STORE;
    }
    return new ManifestSettings(
        Kind.JDBC, config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword().get());
  }

  /** The engine's configuration (the password supplied from this record when connecting). */
  public ManifestStoreConfig config() {
    if (kind == Kind.OBJECT_STORE) {
      return ManifestStoreConfig.objectStore();
    }
    String p = password;
    return ManifestStoreConfig.jdbc(url, user, () -> p);
  }

  /** Whether this is the default (the manifest on the object store). */
  public boolean isObjectStore() {
    return kind == Kind.OBJECT_STORE;
  }

  /** The store, URL without parameters or user-info, and user: never the password. */
  @Override
  public String toString() {
    return isObjectStore() ? "manifest on the object store" : "manifest in " + config();
  }
}
