package io.isledb.flink.state;

import java.io.File;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.StateBackendMigrationTestBase;
import org.apache.flink.testutils.junit.extensions.parameterized.Parameter;
import org.apache.flink.testutils.junit.extensions.parameterized.ParameterizedTestExtension;
import org.apache.flink.testutils.junit.extensions.parameterized.Parameters;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Flink's state migration suite ({@code StateBackendMigrationTestBase}, flink-runtime test-jar) on
 * the isle backend, databases on file://: values of value, list and map state migrated to a new
 * serializer (also when TTL is switched on or off), reconfigured serializers used as they are,
 * incompatible state, namespace and key serializers and timer queues refused with a {@code
 * StateMigrationException}. The suite restores every checkpoint in a new job (a new job id), so the
 * restore copies the state into a new database before the migration rewrites it. Operator and
 * broadcast state are Flink's default operator state backend.
 */
@ExtendWith(ParameterizedTestExtension.class)
class IsleStateBackendMigrationTest extends StateBackendMigrationTestBase<IsleStateBackend> {

  /** Flink's suite is a template: one run, on file://. */
  @Parameter public String storage;

  @Parameters(name = "storage={0}")
  public static List<String> storages() {
    return List.of("file");
  }

  @Override
  protected IsleStateBackend getStateBackend() {
    File dir = tempFolder.resolve("isle").toFile();
    Configuration config = new Configuration();
    config.set(IsleStateBackendOptions.DIR, dir.toURI().toString());
    // Periodic GC would keep writing into the temp dir JUnit deletes after the last template.
    config.set(IsleStateBackendOptions.GC_INTERVAL, Duration.ZERO);
    // A restore under a new job id forks, and the fork's compactor starts rewriting the borrowed
    // tables at once. In two CI runs of the PQ-incompatibility template such a compaction wrote a
    // table and a log entry after the backend was disposed, while JUnit deleted the temp dir: a
    // known open bug (compaction still writing after close; the RoleExecutor fix did not cover it).
    // This suite tests migration, not compaction, so compaction is off here until that is fixed.
    config.set(IsleStateBackendOptions.COMPACTION_ENABLED, false);
    return new IsleStateBackend().configure(config, getClass().getClassLoader());
  }
}
