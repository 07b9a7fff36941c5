package io.isledb.cli;

import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ManifestStoreConfig;
import io.isledb.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** Where the database is: the options every subcommand shares. */
final class StoreOptions {
  @Option(
      names = {"-u", "--uri"},
      required = true,
      paramLabel = "<uri>",
      description =
          "The storage URI: file:///path, s3a://bucket, abfs://container@account.dfs.core.windows.net.")
  String uri;

  @Option(
      names = {"-p", "--prefix"},
      required = true,
      paramLabel = "<prefix>",
      description = "The database prefix under the URI (as in IsleDB.openStore).")
  String prefix;

  @Option(
      names = "--hadoop",
      paramLabel = "<key=value>",
      description =
          "A Hadoop setting for the file system (repeatable), e.g. fs.s3a.endpoint=...; values of"
              + " secret keys are never printed.")
  Map<String, String> hadoop = new LinkedHashMap<>();

  /** The environment variable the manifest database's password is read from by default. */
  static final String PASSWORD_ENV = "ISLE_JDBC_PASSWORD";

  static final String MANIFEST_STORE = "--manifest-store";
  static final String JDBC_URL = "--jdbc-url";
  static final String JDBC_USER = "--jdbc-user";
  static final String JDBC_PASSWORD_FILE = "--jdbc-password-file";

  @Option(
      names = MANIFEST_STORE,
      paramLabel = "<store>",
      description =
          "Where the database's manifest is kept: object-store (under the prefix, the default) or"
              + " jdbc (in PostgreSQL, with --jdbc-url). Must be what the database's writers use.")
  String manifestStore = ManifestStoreConfig.Kind.OBJECT_STORE.optionValue();

  @Option(
      names = JDBC_URL,
      paramLabel = "<url>",
      description =
          "JDBC URL of the manifest database (--manifest-store jdbc), e.g."
              + " jdbc:postgresql://host:5432/db. Must hold no password.")
  String jdbcUrl;

  @Option(
      names = JDBC_USER,
      paramLabel = "<user>",
      description = "User of the manifest database (--manifest-store jdbc).")
  String jdbcUser;

  @Option(
      names = JDBC_PASSWORD_FILE,
      paramLabel = "<file>",
      description =
          "A file whose first line is the manifest database's password (--manifest-store jdbc)."
              + " Without it the password comes from the environment variable "
              + PASSWORD_ENV
              + " (none if unset). There is no option taking the password itself.")
  Path jdbcPasswordFile;

  /** The environment (a field so that tests can give their own). */
  Function<String, String> env = System::getenv;

  /**
   * The manifest store the options select; the password is read (from the file or the environment)
   * each time a connection is opened.
   *
   * @throws IsleException INVALID_ARGUMENT naming the flag: see {@link
   *     ManifestStoreConfig#fromOptions(Map, String, String, String, String)}, or a password file
   *     that cannot be read
   */
  ManifestStoreConfig manifest() {
    Map<String, String> o = new HashMap<>();
    o.put(MANIFEST_STORE, manifestStore);
    if (jdbcUrl != null) {
      o.put(JDBC_URL, jdbcUrl);
    }
    if (jdbcUser != null) {
      o.put(JDBC_USER, jdbcUser);
    }
    if (jdbcPasswordFile != null) {
      o.put(JDBC_PASSWORD_FILE, jdbcPasswordFile.toString()); // named if the store is not jdbc
    }
    ManifestStoreConfig c =
        ManifestStoreConfig.fromOptions(
            o, MANIFEST_STORE, JDBC_URL, JDBC_USER, JDBC_PASSWORD_FILE + " or $" + PASSWORD_ENV);
    if (c.kind() == ManifestStoreConfig.Kind.OBJECT_STORE) {
      return c;
    }
    if (jdbcPasswordFile != null) {
      readPassword(jdbcPasswordFile); // refuse an unreadable file now, not at the first connection
    }
    Path file = jdbcPasswordFile;
    return ManifestStoreConfig.jdbc(
        c.jdbcUrl(),
        c.jdbcUser(),
        () -> file != null ? readPassword(file) : env.apply(PASSWORD_ENV));
  }

  private static String readPassword(Path file) {
    try {
      String s = Files.readString(file, StandardCharsets.UTF_8);
      int nl = s.indexOf('\n');
      return (nl < 0 ? s : s.substring(0, nl)).strip();
    } catch (IOException | RuntimeException e) {
      throw IsleException.invalidArgument(
          JDBC_PASSWORD_FILE + " " + file + " cannot be read: " + e.getClass().getSimpleName());
    }
  }

  /** Opens the store; a local directory that does not exist is refused by name. */
  ObjectStore open() {
    if (uri.startsWith("file:")) {
      Path base = Path.of(java.net.URI.create(uri.endsWith("/") ? uri : uri + "/"));
      if (!Files.isDirectory(base)) {
        throw IsleException.invalidArgument(
            "no such directory: " + base + " (from --uri " + uri + ")");
      }
    }
    return IsleDB.openStore(uri, prefix, hadoop);
  }
}
