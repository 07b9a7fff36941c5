package io.isledb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code isle} on file://, plus what does not depend on the scheme: help, errors, secrets. */
class IsleCliTest extends IsleCliScenario {
  @TempDir Path dir;

  private String uri() {
    return dir.toUri().toString();
  }

  @Override
  ObjectStore newStore() {
    return IsleDB.openStore(uri(), "db", Map.of());
  }

  @Override
  List<String> location(ObjectStore store) {
    return List.of("--uri", uri(), "--prefix", "db");
  }

  @Test
  void everySubcommandHasHelp() {
    for (String sub :
        List.of("ls", "manifest", "sst-dump", "get", "scan", "tail", "verify", "gc")) {
      Run r = isle(sub, "--help");
      assertThat(r.code()).isZero();
      assertThat(r.out()).startsWith("Usage: isle " + sub).contains("--uri").contains("--hadoop");
    }
    assertThat(isle("--help").out()).contains("sst-dump").contains("Exit status");
    assertThat(isle().code()).isEqualTo(IsleCli.USAGE);
  }

  @Test
  void aWrongPathOrAnEmptyPrefixIsAClearError() {
    Run missing = isle("ls", "--uri", dir.resolve("nowhere").toUri().toString(), "--prefix", "db");
    assertThat(missing.code()).isEqualTo(IsleCli.USAGE);
    assertThat(missing.err()).contains("no such directory: " + dir.resolve("nowhere"));
    Run empty = isle("ls", "--uri", uri(), "--prefix", "other");
    assertThat(empty.code()).isEqualTo(IsleCli.USAGE);
    assertThat(empty.err()).contains("no IsleDB database at file://" + dir.resolve("other"));
  }

  @Test
  void secretsAreNeverPrinted() {
    String secret = "Sup3r-S3cret-7f1c";
    Run r =
        isle(
            "ls",
            "--uri",
            uri(),
            "--prefix",
            "db",
            "--hadoop",
            "fs.s3a.secret.key=" + secret,
            "--hadoop=fs.azure.account.key.acct.dfs.core.windows.net=" + secret + "-2",
            "--bogus=" + secret);
    assertThat(r.code()).isEqualTo(IsleCli.USAGE);
    assertThat(r.out() + r.err()).doesNotContain(secret).contains("<redacted>");
  }
}
