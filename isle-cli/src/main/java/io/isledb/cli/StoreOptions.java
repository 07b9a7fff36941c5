package io.isledb.cli;

import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
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
