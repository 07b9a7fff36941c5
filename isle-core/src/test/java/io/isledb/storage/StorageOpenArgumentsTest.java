package io.isledb.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad arguments to {@link IsleDB#openStore} give clear errors, and credentials embedded in a
 * storage URI never appear in {@link ObjectStore#location()} or in any message (issue 8, 14d and
 * 14e).
 */
class StorageOpenArgumentsTest {
  private static final String SECRET = "s3cr3tV4lue";

  @TempDir Path dir;

  private static void assertInvalid(Throwable t, String mentions) {
    assertThat(t)
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
        .hasMessageContaining(mentions);
  }

  /** Neither the message nor any cause's message holds the secret. */
  private static void assertNoSecret(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      assertThat(c.toString()).doesNotContain(SECRET);
    }
  }

  @Test
  void aNullHadoopConfigurationNamesTheParameter() {
    assertInvalid(
        catchThrowable(() -> IsleDB.openStore(dir.toUri().toString(), "db", null)), "hadoopConf");
    Map<String, String> withNull = new HashMap<>();
    withNull.put("fs.s3a.endpoint", null);
    assertInvalid(
        catchThrowable(() -> IsleDB.openStore(dir.toUri().toString(), "db", withNull)),
        "fs.s3a.endpoint");
    assertInvalid(catchThrowable(() -> IsleDB.openStore(dir.toUri().toString(), null)), "prefix");
  }

  @Test
  void credentialsInAMalformedUriAreNotEchoed() {
    Throwable t =
        catchThrowable(() -> IsleDB.openStore("s3a://AKIAKEY:" + SECRET + "@bad bucket", "db"));
    assertInvalid(t, "s3a://bad bucket");
    assertNoSecret(t);
    t = catchThrowable(() -> IsleDB.openStore("noscheme-AKIAKEY:" + SECRET + "@bucket", "db"));
    assertThat(t).isInstanceOf(IsleException.class);
    assertNoSecret(t);
  }

  @Test
  void credentialsInAUriAreRedactedFromLocationAndFailures() {
    String uri = "otherfs://AKIAKEY:" + SECRET + "@localhost" + dir.toAbsolutePath();
    Map<String, String> conf = Map.of("fs.otherfs.impl", OtherSchemeFileSystem.class.getName());
    try (ObjectStore store = IsleDB.openStore(uri, "db", conf)) {
      assertThat(store.location()).isEqualTo("otherfs://localhost" + dir.toAbsolutePath() + "/db/");
      assertThat(store.toString()).doesNotContain(SECRET);
      // The file system refuses paths of another authority: every request fails, and says where.
      Throwable t = catchThrowable(() -> store.put("x", new byte[1]));
      assertThat(t).isInstanceOf(IsleException.class).hasMessageContaining(store.location() + "x");
      assertNoSecret(t);
      assertNoSecret(catchThrowable(() -> store.get("x")));
      assertNoSecret(catchThrowable(() -> store.list("").hasNext()));
    } catch (IsleException e) {
      assertNoSecret(e);
      throw e;
    }
  }

  @Test
  void redactionKeepsContainersAndDropsPasswords() {
    assertThat(Redaction.redact("s3a://KEY:" + SECRET + "@bucket/db/x"))
        .isEqualTo("s3a://bucket/db/x");
    assertThat(Redaction.redact("s3a://KEY@bucket")).isEqualTo("s3a://bucket");
    assertThat(
            Redaction.redact(
                "failed: abfs://box:" + SECRET + "@acct.dfs.core.windows.net/db and gs://u:p@b"))
        .isEqualTo("failed: abfs://box@acct.dfs.core.windows.net/db and gs://b");
    assertThat(Redaction.redact("abfs://box@acct.dfs.core.windows.net/db"))
        .isEqualTo("abfs://box@acct.dfs.core.windows.net/db");
    assertThat(Redaction.redact("file:///data/db/user@host"))
        .isEqualTo("file:///data/db/user@host");
    assertThatThrownBy(() -> IsleDB.openStore("", "db")).isInstanceOf(IsleException.class);
  }
}
