package io.isledb.flink.connector.table;

import static io.isledb.flink.connector.table.IsleSqlRoundTripITCase.collect;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.RequestStats;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push-downs proven by plans (the scan node lists the pushed filter, projection and limit) and by
 * request counts: a key-range query on a large table reads only that range's blocks.
 */
class IslePushDownITCase {
  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path dir;
  private TableEnvironment env;

  private String path() {
    return dir.toUri() + "big";
  }

  @BeforeEach
  void setUp() {
    BigTestTable.write(path(), 20261130L);
    env = BigTestTable.batchEnv(path());
  }

  @Test
  void plansShowPushedFilterProjectionAndLimit() {
    String plan =
        env.explainSql("SELECT name FROM big WHERE id BETWEEN 1000 AND 1100 AND qty > 5 LIMIT 10");
    String scan =
        plan.lines().filter(l -> l.contains("TableSourceScan")).reduce((a, b) -> b).orElseThrow();
    assertThat(scan)
        .contains("filter=[AND(>=(id, 1000), <=(id, 1100))]")
        .contains("project=[")
        .doesNotContain("qty > 5");
    // qty is no key column: Flink still filters on it.
    assertThat(plan).contains(">(qty, 5)");
    String prefix = env.explainSql("SELECT * FROM big WHERE id = 5 AND grp LIKE 'g%'");
    assertThat(prefix).contains("filter=[");
    String limit = env.explainSql("SELECT * FROM big LIMIT 3");
    assertThat(limit).contains("limit=[3]");
  }

  @Test
  void aKeyRangeQueryReadsOnlyTheRangesBlocks() throws Exception {
    TableLocation location = TableLocation.of(path(), Map.of());
    try (SharedTables.Lease shared = SharedTables.acquire(location)) {
      RequestStats before = shared.db().store().stats();
      assertThat(
              collect(
                  env.executeSql(
                      "SELECT COUNT(*), SUM(qty) FROM big WHERE id >= 20000 AND id < 20100")))
          .containsExactly("+I[100, " + BigTestTable.sumQty(20000, 20100) + "]");
      RequestStats range = shared.db().store().stats().minus(before);

      before = shared.db().store().stats();
      assertThat(collect(env.executeSql("SELECT COUNT(*) FROM big WHERE qty >= 0")))
          .containsExactly("+I[" + BigTestTable.ROWS + "]");
      RequestStats full = shared.db().store().stats().minus(before);

      String msg = "range " + range + " vs full " + full;
      assertThat(full.bytesRead()).as(msg).isGreaterThan(3_000_000L);
      assertThat(range.bytesRead()).as(msg).isLessThan(full.bytesRead() / 20);
      assertThat(range.count(RequestStats.RequestKind.GET_RANGE)).as(msg).isLessThan(12);
    }
  }

  @Test
  void inListsAndPrefixesReturnExactlyTheirRows() throws Exception {
    assertThat(collect(env.executeSql("SELECT id, grp FROM big WHERE id IN (3, 70, 39999, 40001)")))
        .containsExactly("+I[3, g3]", "+I[39999, g1]", "+I[70, g0]");
    assertThat(
            collect(
                env.executeSql(
                    "SELECT id FROM big WHERE id = 14 AND grp LIKE 'g%' AND grp <> 'g1'")))
        .containsExactly("+I[14]");
    assertThat(collect(env.executeSql("SELECT id FROM big WHERE id = 14 AND grp = 'g1'")))
        .isEmpty();
    assertThat(collect(env.executeSql("SELECT COUNT(*) FROM big WHERE id > 39990")))
        .containsExactly("+I[9]");
    assertThat(collect(env.executeSql("SELECT COUNT(*) FROM (SELECT * FROM big LIMIT 5)")))
        .containsExactly("+I[5]");
  }
}
