package io.isledb.flink.connector.table;

import static io.isledb.flink.connector.table.IsleSqlRoundTripITCase.collect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secret option values never reach the logs: everything logged at INFO and above (by Flink, the
 * connector, Hadoop, isle-core, in the client and in the MiniCluster's tasks) is captured while a
 * table holding distinctive secrets is created, refused with a bad option, planned, written and
 * read by bounded jobs; no captured line (message or stack trace) holds a secret. The capture is
 * proven live by a value deliberately logged through SLF4J and by the connector's own INFO lines.
 */
class IsleLogSecretsITCase {
  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final Logger LOG = LoggerFactory.getLogger(IsleLogSecretsITCase.class);
  private static final String SECRET = "SECRET-7f3a9c";
  private static final String ACCESS = "ACCESS-7f3a9c";
  private static final String S3_SECRET = "S3SECRET-7f3a9c";
  private static final String AZURE = "AZUREKEY-7f3a9c";
  private static final String PASSWORD = "PASSWORD-7f3a9c";
  private static final List<String> SECRETS = List.of(SECRET, ACCESS, S3_SECRET, AZURE, PASSWORD);
  private static final String SECRET_OPTIONS =
      ", 'hadoop.fs.s3a.secret.key' = '"
          + SECRET
          + "', 'hadoop.fs.s3a.access.key' = '"
          + ACCESS
          + "', 's3.secret-key' = '"
          + S3_SECRET
          + "', 'hadoop.fs.azure.account.key.acc.dfs.core.windows.net' = '"
          + AZURE
          + "', 'hadoop.fs.s3a.proxy.password' = '"
          + PASSWORD
          + "'";

  @TempDir Path dir;
  private final ConcurrentLinkedQueue<String> captured = new ConcurrentLinkedQueue<>();
  private AbstractAppender appender;
  private Level rootLevel;

  @BeforeEach
  void captureLogs() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    Configuration config = ctx.getConfiguration();
    PatternLayout layout =
        PatternLayout.newBuilder()
            .withConfiguration(config)
            .withPattern("%-5level [%t] %c - %msg%n%throwable")
            .build();
    appender =
        new AbstractAppender("isle-log-secrets", null, layout, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            captured.add(layout.toSerializable(event));
          }
        };
    appender.start();
    config.addAppender(appender);
    LoggerConfig root = config.getRootLogger();
    rootLevel = root.getLevel();
    root.addAppender(appender, Level.INFO, null);
    root.setLevel(Level.INFO); // the console's reference stays at WARN (log4j2-test.properties)
    ctx.updateLoggers();
  }

  @AfterEach
  void stopCapturing() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    LoggerConfig root = ctx.getConfiguration().getRootLogger();
    root.removeAppender(appender.getName());
    root.setLevel(rootLevel);
    ctx.updateLoggers();
    appender.stop();
  }

  @Test
  void secretsAppearInNoLogLine() throws Exception {
    LOG.info("canary {} logged on purpose", "CANARY-7f3a9c");
    TableEnvironment tenv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    String path = dir.toUri() + "t";
    tenv.executeSql(
        "CREATE TABLE t (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ("
            + "'connector' = 'isle', 'path' = '"
            + path
            + "'"
            + SECRET_OPTIONS
            + ")");
    tenv.executeSql(
        "CREATE TABLE bad (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ("
            + "'connector' = 'isle', 'path' = '"
            + path
            + "', 'scan.boundd' = 'true'"
            + SECRET_OPTIONS
            + ")");
    Throwable refused = catchThrowable(() -> tenv.executeSql("SELECT * FROM bad").await());
    assertThat(refused).isNotNull();
    // As an application would log it; INFO: captured, not printed (the console is at WARN).
    LOG.info("the query on the bad table failed", refused);

    assertThat(tenv.explainSql("INSERT INTO t VALUES (1, 'a')")).contains("t");
    tenv.executeSql("INSERT INTO t VALUES (1, 'a'), (2, 'b')").await();
    assertThat(tenv.explainSql("SELECT * FROM t WHERE id = 2")).contains("t");
    assertThat(collect(tenv.executeSql("SELECT * FROM t"))).containsExactly("+I[1, a]", "+I[2, b]");

    String all = String.join("", captured);
    // The capture is live: the canary, Flink's INFO lines of the jobs, the connector's own.
    assertThat(all).contains("CANARY-7f3a9c").contains("scan.boundd");
    assertThat(all).contains("org.apache.flink.runtime").contains("Isle sink of " + path);
    for (String secret : SECRETS) {
      assertThat(captured).as("log lines holding %s", secret).noneMatch(l -> l.contains(secret));
    }
  }
}
