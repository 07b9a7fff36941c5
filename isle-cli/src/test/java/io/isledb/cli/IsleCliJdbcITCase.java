package io.isledb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.testing.PostgresServerExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole CLI scenario on a database whose manifest is in PostgreSQL (a real server, isle-core's
 * PostgresServerExtension), tables on file://: every subcommand with {@code --manifest-store jdbc
 * --jdbc-url ... --jdbc-user ... --jdbc-password-file ...}.
 */
class IsleCliJdbcITCase extends IsleCliScenario {
  @RegisterExtension static final PostgresServerExtension PG = PostgresServerExtension.shared();

  @TempDir Path dir;

  private String url;

  private String uri() {
    return dir.toUri().toString();
  }

  @Override
  ObjectStore newStore() {
    url = PG.newDatabase("cli");
    return IsleDB.openStore(uri(), "db", Map.of());
  }

  @Override
  DBOptions dbOptions() {
    return DBOptions.defaults().withManifestStore(PG.config(url));
  }

  @Override
  List<String> location(ObjectStore store) {
    Path pw = dir.resolve("pw");
    try {
      Files.writeString(pw, PG.password() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.of(
        "--uri",
        uri(),
        "--prefix",
        "db",
        "--manifest-store",
        "jdbc",
        "--jdbc-url",
        url,
        "--jdbc-user",
        PG.user(),
        "--jdbc-password-file",
        pw.toString());
  }

  @Test
  void theManifestIsNotOnTheStoreAndTheObjectStoreManifestSeesNoDatabase() throws IOException {
    try (Stream<Path> files = Files.walk(dir.resolve("db"))) {
      assertThat(files.map(Path::toString)).noneMatch(p -> p.contains("manifest"));
    }
    Run plain = isle("ls", "--uri", uri(), "--prefix", "db");
    assertThat(plain.code()).isEqualTo(IsleCli.USAGE);
    assertThat(plain.err()).contains("no IsleDB database");
  }
}
