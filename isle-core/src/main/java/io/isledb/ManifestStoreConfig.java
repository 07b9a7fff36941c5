package io.isledb;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Where a database keeps its manifest (the commit log, snapshots, pins, GC state: docs/PROTOCOL.md
 * section 10). Tables and blobs stay on the database's {@link ObjectStore} whatever this says.
 * Every process that opens one database must use the same manifest store. Immutable; set it with
 * {@link DBOptions#withManifestStore}.
 *
 * <p>{@link #objectStore()} (the default) keeps the manifest on the database's object store, as
 * FORMAT.md describes. {@link #jdbc} keeps it in a PostgreSQL server (docs/postgresql.md): the
 * server's JDBC driver must be on the classpath ({@code org.postgresql:postgresql}), the server
 * must be a writable primary, and the schema is created or migrated when a database opens.
 *
 * @param kind which store
 * @param jdbcUrl the JDBC URL (kind {@link Kind#JDBC} only, else null)
 * @param jdbcUser the database user (kind {@link Kind#JDBC} only, else null)
 * @param jdbcPassword supplies the password when a connection is opened (kind {@link Kind#JDBC}
 *     only, else null); never stored in a string, logged or shown by {@link #toString()}
 */
public record ManifestStoreConfig(
    Kind kind, String jdbcUrl, String jdbcUser, Supplier<String> jdbcPassword) {

  /** The kinds of manifest store. */
  public enum Kind {
    /** On the database's own object store (the default). */
    OBJECT_STORE("object-store"),
    /** In a PostgreSQL server reached through JDBC (docs/postgresql.md). */
    JDBC("jdbc");

    private final String optionValue;

    Kind(String optionValue) {
      this.optionValue = optionValue;
    }

    /** The kind's name in configuration options: {@code object-store} or {@code jdbc}. */
    public String optionValue() {
      return optionValue;
    }

    /**
     * The kind named {@code value} in the option {@code option} (for the connector's and the state
     * backend's options).
     *
     * @throws IsleException of kind INVALID_ARGUMENT naming the option and the accepted values if
     *     {@code value} is no kind
     */
    public static Kind parse(String option, String value) {
      String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
      for (Kind k : values()) {
        if (k.optionValue.equals(v)) {
          return k;
        }
      }
      throw IsleException.invalidArgument(
          option + " is '" + value + "'; the manifest stores are 'object-store' and 'jdbc'");
    }
  }

  public ManifestStoreConfig {
    Objects.requireNonNull(kind, "kind");
    if (kind == Kind.JDBC) {
      if (jdbcUrl == null || jdbcUrl.isBlank()) {
        throw IsleException.invalidArgument("the jdbc manifest store needs a JDBC URL");
      }
      Objects.requireNonNull(jdbcPassword, "jdbcPassword (a supplier; it may supply null)");
    } else if (jdbcUrl != null || jdbcUser != null || jdbcPassword != null) {
      throw IsleException.invalidArgument(
          "the " + kind.optionValue() + " manifest store takes no JDBC URL, user or password");
    }
  }

  /** A password given as a JDBC URL parameter ({@code ?password=}, {@code ;password=}, ...). */
  private static final Pattern PASSWORD_IN_URL =
      Pattern.compile("[?;&]password=", Pattern.CASE_INSENSITIVE);

  /**
   * The manifest store that the options {@code <prefix>store} ({@code object-store} by default, or
   * {@code jdbc}), {@code <prefix>jdbc.url}, {@code <prefix>jdbc.user} and {@code
   * <prefix>jdbc.password} in {@code options} select (other keys are ignored): the connector's
   * {@code manifest.*} and the state backend's {@code state.backend.isle.manifest.*} options.
   *
   * @throws IsleException of kind INVALID_ARGUMENT naming the option and its value (never the
   *     password's): an unknown store; {@code jdbc} without a URL, with a URL that does not start
   *     with {@code jdbc:} or that holds a password; {@code jdbc.*} options with the object store
   */
  public static ManifestStoreConfig fromOptions(Map<String, String> options, String prefix) {
    return fromOptions(
        options,
        prefix + "store",
        prefix + "jdbc.url",
        prefix + "jdbc.user",
        prefix + "jdbc.password");
  }

  /**
   * Like {@link #fromOptions(Map, String)}, with the four keys given (as messages name them): for a
   * command line whose flags are named otherwise.
   */
  public static ManifestStoreConfig fromOptions(
      Map<String, String> options,
      String storeKey,
      String urlKey,
      String userKey,
      String passwordKey) {
    String url = options.get(urlKey);
    String user = options.get(userKey);
    String password = options.get(passwordKey);
    Kind kind =
        Kind.parse(
            "option '" + storeKey + "'",
            options.getOrDefault(storeKey, Kind.OBJECT_STORE.optionValue()));
    if (kind == Kind.OBJECT_STORE) {
      List<String> set = new ArrayList<>();
      for (String k : List.of(urlKey, userKey, passwordKey)) {
        if (options.get(k) != null) {
          set.add(k);
        }
      }
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
      return objectStore();
    }
    if (url == null || url.isBlank()) {
      throw IsleException.invalidArgument(
          "option '" + urlKey + "' is required when option '" + storeKey + "' is 'jdbc'");
    }
    String u = url.trim();
    String shown = redact(u);
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
    return jdbc(u, us, () -> password);
  }

  /** The manifest on the database's own object store (the default). */
  public static ManifestStoreConfig objectStore() {
    return new ManifestStoreConfig(Kind.OBJECT_STORE, null, null, null);
  }

  /**
   * The manifest in the PostgreSQL server at {@code url} ({@code jdbc:postgresql://host:port/db}).
   *
   * @param password supplies the password each time a connection is opened
   */
  public static ManifestStoreConfig jdbc(String url, String user, Supplier<String> password) {
    return new ManifestStoreConfig(Kind.JDBC, url, user, password);
  }

  /**
   * The kind, the URL without its parameters or user-info (either may carry a password) and the
   * user; never the password.
   */
  @Override
  public String toString() {
    return kind == Kind.OBJECT_STORE
        ? "ManifestStoreConfig[object-store]"
        : "ManifestStoreConfig[jdbc, url=" + redactedUrl() + ", user=" + jdbcUser + "]";
  }

  /**
   * {@link #jdbcUrl()} without parameters ({@code ?...}, {@code ;...}) or user-info, for messages.
   */
  public String redactedUrl() {
    return jdbcUrl == null ? null : redact(jdbcUrl);
  }

  private static String redact(String url) {
    return url.replaceAll("[?;].*$", "").replaceAll("//[^/@]*@", "//");
  }
}
