package io.isledb.flink.connector.internal;

import io.isledb.IsleException;
import io.isledb.ManifestStoreConfig;
import io.isledb.ManifestStoreConfig.Kind;
import io.isledb.flink.connector.IsleConnectorOptions;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

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

  /** A password given as a URL parameter ({@code ?password=}, {@code ;password=}, {@code &...}). */
  private static final Pattern PASSWORD_IN_URL =
      Pattern.compile("[?;&]password=", Pattern.CASE_INSENSITIVE);

  /** The default: the manifest next to the tables, on the object store. */
  public static final ManifestSettings OBJECT_STORE =
      new ManifestSettings(Kind.OBJECT_STORE, null, null, null);

  /**
   * The manifest store {@code tableOptions} select ({@code manifest.store} and {@code
   * manifest.jdbc.*}; any other option is ignored).
   *
   * @throws IsleException INVALID_ARGUMENT naming the option and its value (never a password's): an
   *     unknown {@code manifest.store}, {@code jdbc} without a URL or with a URL that is not {@code
   *     jdbc:...} or holds a password, or {@code manifest.jdbc.*} options on the object-store
   *     manifest
   */
  public static ManifestSettings of(Map<String, String> tableOptions) {
    String storeKey = IsleConnectorOptions.MANIFEST_STORE.key();
    String urlKey = IsleConnectorOptions.MANIFEST_JDBC_URL.key();
    String userKey = IsleConnectorOptions.MANIFEST_JDBC_USER.key();
    String passwordKey = IsleConnectorOptions.MANIFEST_JDBC_PASSWORD.key();
    return of(
        storeKey,
        tableOptions.getOrDefault(storeKey, IsleConnectorOptions.MANIFEST_STORE.defaultValue()),
        urlKey,
        tableOptions.get(urlKey),
        userKey,
        tableOptions.get(userKey),
        passwordKey,
        tableOptions.get(passwordKey));
  }

  /**
   * The manifest store of the given option values, each named by its key in messages (shared with
   * the state backend's {@code state.backend.isle.manifest.*} options, which check the same).
   */
  public static ManifestSettings of(
      String storeKey,
      String store,
      String urlKey,
      String url,
      String userKey,
      String user,
      String passwordKey,
      String password) {
    Kind kind = ManifestStoreConfig.Kind.parse("option '" + storeKey + "'", store);
    if (kind == Kind.OBJECT_STORE) {
      List<String> set = new ArrayList<>();
      addIfSet(set, urlKey, url);
      addIfSet(set, userKey, user);
      addIfSet(set, passwordKey, password);
      if (!set.isEmpty()) {
        throw IsleException.invalidArgument(
            "option(s) "
                + set
                + " apply to the jdbc manifest store only, but option '"
                + storeKey
                + "' is 'object-store': set '"
                + storeKey
                + "' = 'jdbc' or remove them");
      }
      return OBJECT_STORE;
    }
    if (url == null || url.isBlank()) {
      throw IsleException.invalidArgument(
          "option '" + urlKey + "' is required when option '" + storeKey + "' is 'jdbc'");
    }
    String u = url.trim();
    String shown = ManifestStoreConfig.jdbc(u, null, () -> null).redactedUrl();
    if (!u.toLowerCase(Locale.ROOT).startsWith("jdbc:")) {
      throw IsleException.invalidArgument(
          "option '"
              + urlKey
              + "' must be a JDBC URL such as jdbc:postgresql://host:5432/db: '"
              + shown
              + "'");
    }
    if (PASSWORD_IN_URL.matcher(u).find() || u.matches("(?s)^jdbc:[^/]*//[^/@]*:[^/@]*@.*")) {
      throw IsleException.invalidArgument(
          "option '"
              + urlKey
              + "' must not hold a password (give it in option '"
              + passwordKey
              + "'): '"
              + shown
              + "'");
    }
    String us = user == null || user.isBlank() ? null : user.trim();
    return new ManifestSettings(Kind.JDBC, u, us, password);
  }

  private static void addIfSet(List<String> out, String key, String value) {
    if (value != null) {
      out.add(key);
    }
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
