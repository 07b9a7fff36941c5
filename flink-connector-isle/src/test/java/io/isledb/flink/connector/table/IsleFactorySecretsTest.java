package io.isledb.flink.connector.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every validation failure of the factory, planned as a scan, a lookup join and a sink, in
 * streaming and batch mode: the error names the offending option (or column, or the path) and no
 * secret value appears anywhere in the exception chain (each message, each {@code toString}, the
 * suppressed ones, and the printed stack trace). Flink wraps an exception thrown by a factory in an
 * error that lists the table's options with their values, hiding only the keys it considers
 * sensitive: {@code hadoop.fs.s3a.access.key} and {@code s3.access-key} used to show there.
 */
class IsleFactorySecretsTest {
  private static final String ACCESS_KEY = "AKIAFACTORYTEST00017";
  private static final String S3_ACCESS_KEY = "AKIAS3PLUGINKEY00029";
  private static final String SECRET_KEY = "SecretFactoryValue-q8Zr";
  private static final String AZURE_KEY = "AzureAccountKeyValue-77x";
  private static final List<String> SECRETS =
      List.of(ACCESS_KEY, S3_ACCESS_KEY, SECRET_KEY, AZURE_KEY);

  private static final String SECRET_OPTIONS =
      ", 'hadoop.fs.s3a.access.key' = '"
          + ACCESS_KEY
          + "', 'hadoop.fs.s3a.secret.key' = '"
          + SECRET_KEY
          + "', 's3.access-key' = '"
          + S3_ACCESS_KEY
          + "', 's3.secret-key' = '"
          + SECRET_KEY
          + "', 'hadoop.fs.azure.account.key.acc.dfs.core.windows.net' = '"
          + AZURE_KEY
          + "'";

  @TempDir Path dir;

  /** One bad table: its columns, its options (besides the secrets) and what the error names. */
  record Case(String name, String columns, String options, String named) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> cases() {
    String key = "id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED";
    return List.of(
        new Case("unknown option", key, "'path' = '@/t', 'scan.boundd' = 'true'", "scan.boundd"),
        new Case("missing path", key, "'scan.bounded' = 'true'", "path"),
        new Case("bad scheme", key, "'path' = 'nosuchfs://bucket/t'", "'nosuchfs'"),
        new Case("dot-dot path", key, "'path' = 'file:///tmp/x/../t'", "'..'"),
        new Case(
            "credentials in the path",
            key,
            "'path' = 's3a://" + ACCESS_KEY + ":" + SECRET_KEY + "@bucket/t'",
            "option 'path' must not hold credentials"),
        new Case(
            "unparsable duration",
            key,
            "'path' = '@/t', 'scan.poll-interval' = 'soon'",
            "scan.poll-interval"),
        new Case(
            "non-positive value",
            key,
            "'path' = '@/t', 'lookup.async.threads' = '0'",
            "lookup.async.threads"),
        new Case("refused value", key, "'path' = '@/t', 'lookup.cache' = 'FULL'", "lookup.cache"),
        new Case(
            "missing companion option",
            key,
            "'path' = '@/t', 'scan.startup.mode' = 'version'",
            "scan.startup.version"),
        new Case(
            "key column type",
            "m ARRAY<INT> NOT NULL, v STRING, PRIMARY KEY (m) NOT ENFORCED",
            "'path' = '@/t'",
            "'m'"));
  }

  private TableEnvironment streaming;
  private TableEnvironment batch;

  @BeforeEach
  void setUp() {
    streaming = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    batch = TableEnvironment.create(EnvironmentSettings.inBatchMode());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void errorNamesTheOptionAndHoldsNoSecret(Case c) {
    for (TableEnvironment env : List.of(streaming, batch)) {
      String options = c.options().replace("'@/", "'" + dir.toUri());
      env.executeSql(
          "CREATE TABLE bad ("
              + c.columns()
              + ") WITH ('connector' = 'isle', "
              + options
              + SECRET_OPTIONS
              + ")");
      env.executeSql(
          "CREATE TABLE gen WITH ('connector' = 'datagen', 'number-of-rows' = '1')"
              + " LIKE bad (EXCLUDING OPTIONS)");
      env.executeSql(
          "CREATE TABLE probe (k BIGINT, pt AS PROCTIME())"
              + " WITH ('connector' = 'datagen', 'number-of-rows' = '1')");
      String first = c.columns().substring(0, c.columns().indexOf(' '));
      List<String> queries = new ArrayList<>();
      queries.add("SELECT * FROM bad");
      queries.add("INSERT INTO bad SELECT * FROM gen");
      if (env == streaming && first.equals("id")) {
        queries.add(
            "SELECT * FROM probe AS p JOIN bad FOR SYSTEM_TIME AS OF p.pt AS b ON p.k = b.id");
      }
      for (String sql : queries) {
        Throwable t = catchThrowable(() -> env.explainSql(sql));
        assertThat(t).as("%s: %s", c, sql).isNotNull();
        String all = everything(t);
        for (String secret : SECRETS) {
          assertThat(all).as("%s: %s", c, sql).doesNotContain(secret);
        }
        assertThat(all).as("%s: %s", c, sql).contains(c.named());
      }
      env.executeSql("DROP TABLE bad");
      env.executeSql("DROP TABLE gen");
      env.executeSql("DROP TABLE probe");
    }
  }

  /** Every message and toString in {@code t}'s causes and suppressed ones, and its stack trace. */
  private static String everything(Throwable t) {
    StringBuilder sb = new StringBuilder(IsleTableFactoryTestSupport.chain(t));
    Set<Throwable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    List<Throwable> todo = new ArrayList<>(List.of(t));
    while (!todo.isEmpty()) {
      Throwable x = todo.remove(todo.size() - 1);
      if (x == null || !seen.add(x)) {
        continue;
      }
      sb.append('\n').append(x.getMessage()).append('\n').append(x);
      sb.append('\n').append(x.getLocalizedMessage());
      todo.add(x.getCause());
      todo.addAll(List.of(x.getSuppressed()));
    }
    return sb.toString();
  }
}
