package io.isledb;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

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
    if (jdbcUrl == null) {
      return null;
    }
    String u = jdbcUrl.replaceAll("[?;].*$", "");
    return u.replaceAll("//[^/@]*@", "//");
  }
}
