package io.isledb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.isledb.IsleException;
import io.isledb.ManifestStoreConfig;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code --manifest-store} options: parsing, where the password comes from (a file or the
 * environment, never an argument), errors naming the option, and every subcommand opening the
 * database with the configured store.
 */
class IsleCliManifestStoreTest {
  private static final String PASSWORD = "Cli-Manifest-Secret-3141";
  private static final String URL = "jdbc:postgresql://127.0.0.1:1/nodb";

  @TempDir Path dir;

  private static StoreOptions jdbc(Path passwordFile, Map<String, String> env) {
    StoreOptions o = new StoreOptions();
    o.manifestStore = "jdbc";
    o.jdbcUrl = URL;
    o.jdbcUser = "isle";
    o.jdbcPasswordFile = passwordFile;
    o.env = env::get;
    return o;
  }

  @Test
  void thePasswordComesFromTheFileOrElseTheEnvironment() throws Exception {
    assertThat(new StoreOptions().manifest()).isEqualTo(ManifestStoreConfig.objectStore());

    Path file = Files.writeString(dir.resolve("pw"), "  " + PASSWORD + "  \nignored\n");
    ManifestStoreConfig fromFile =
        jdbc(file, Map.of(StoreOptions.PASSWORD_ENV, "from-env")).manifest();
    assertThat(fromFile.kind()).isEqualTo(ManifestStoreConfig.Kind.JDBC);
    assertThat(fromFile.jdbcUrl()).isEqualTo(URL);
    assertThat(fromFile.jdbcUser()).isEqualTo("isle");
    assertThat(fromFile.jdbcPassword().get()).isEqualTo(PASSWORD);
    assertThat(fromFile.toString()).doesNotContain(PASSWORD);

    ManifestStoreConfig fromEnv =
        jdbc(null, Map.of(StoreOptions.PASSWORD_ENV, PASSWORD)).manifest();
    assertThat(fromEnv.jdbcPassword().get()).isEqualTo(PASSWORD);
    assertThat(jdbc(null, Map.of()).manifest().jdbcPassword().get()).isNull();
  }

  @Test
  void badOptionsNameTheOption() {
    Throwable unreadable = catchThrowable(() -> jdbc(dir.resolve("none"), Map.of()).manifest());
    assertThat(unreadable)
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("--jdbc-password-file " + dir.resolve("none"));
    StoreOptions noUrl = jdbc(null, Map.of());
    noUrl.jdbcUrl = null;
    assertThat(catchThrowable(noUrl::manifest))
        .hasMessageContaining("option '--jdbc-url' is required when option '--manifest-store'");
    StoreOptions urlWithPassword = jdbc(null, Map.of());
    urlWithPassword.jdbcUrl = URL + "?password=" + PASSWORD;
    Throwable t = catchThrowable(urlWithPassword::manifest);
    assertThat(t).hasMessageContaining("must not hold a password");
    assertThat(t.getMessage()).doesNotContain(PASSWORD);
  }

  @Test
  void everySubcommandOpensTheDatabaseWithTheConfiguredStore() throws Exception {
    Path file = Files.writeString(dir.resolve("pw"), PASSWORD + "\n");
    Files.createDirectories(dir.resolve("store"));
    String uri = dir.resolve("store").toUri().toString();
    List<String> jdbc =
        List.of(
            "--uri",
            uri,
            "--prefix",
            "db",
            "--manifest-store",
            "jdbc",
            "--jdbc-url",
            URL,
            "--jdbc-user",
            "isle",
            "--jdbc-password-file",
            file.toString());
    for (List<String> sub :
        List.of(
            List.of("ls"),
            List.of("manifest"),
            List.of("get", "k"),
            List.of("scan"),
            List.of("tail"),
            List.of("verify"),
            List.of("gc", "--dry-run"))) {
      List<String> args = new ArrayList<>(sub);
      args.addAll(jdbc);
      String[] run = run(args);
      // Nothing listens on port 1: the command fails at the manifest database, which it names
      // (URL and user only); an object-store manifest would have said "no IsleDB database".
      assertThat(run[0]).as("%s", sub).isNotEqualTo("0");
      assertThat(run[2]).as("%s", sub).contains("127.0.0.1:1/nodb").doesNotContain(PASSWORD);
      assertThat(run[1] + run[2]).as("%s", sub).doesNotContain(PASSWORD);
    }
    String[] bad = run(List.of("ls", "--uri", uri, "--prefix", "db", "--manifest-store", "pg"));
    assertThat(bad[0]).isEqualTo(String.valueOf(IsleCli.USAGE));
    assertThat(bad[2]).contains("option '--manifest-store' is 'pg'");
    String[] help = run(List.of("scan", "--help"));
    assertThat(help[1]).contains("--manifest-store").contains("--jdbc-password-file");
  }

  private static String[] run(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = IsleCli.run(args.toArray(String[]::new), out, err);
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }
}
