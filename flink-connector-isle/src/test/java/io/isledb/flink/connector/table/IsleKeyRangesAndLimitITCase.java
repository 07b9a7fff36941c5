package io.isledb.flink.connector.table;

import static io.isledb.flink.connector.table.IsleSqlRoundTripITCase.collect;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.RequestStats;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key predicates that are several disjoint key ranges read only those ranges (not their hull), and
 * a pushed-down LIMIT stops the reading, not only the output: both proven with the bytes and ranged
 * GETs the table's store served, against a full scan of the same 4 MB table.
 */
class IsleKeyRangesAndLimitITCase {
  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir static Path dir;
  private static TableEnvironment env;
  private static SharedTables.Lease shared;
  private static long fullScanBytes;

  private static String path() {
    return dir.toUri() + "big";
  }

  @BeforeAll
  static void setUp() throws Exception {
    BigTestTable.write(path(), 20261201L);
    env = BigTestTable.batchEnv(path());
    shared = SharedTables.acquire(TableLocation.of(path(), Map.of()));
    // What a full scan (or a scan of the hull of the ranges below) reads: the table's bytes.
    fullScanBytes = BigTestTable.sstBytes(dir.resolve("big"));
    assertThat(fullScanBytes).isGreaterThan(3_000_000L);
  }

  @AfterAll
  static void tearDown() {
    shared.close();
  }

  /** The store requests {@code query} caused (the table's store is shared by the whole JVM). */
  private static RequestStats measure(Callable<?> query) throws Exception {
    RequestStats before = shared.db().store().stats();
    query.call();
    return shared.db().store().stats().minus(before);
  }

  private static RequestStats assertReadsLittle(String what, Callable<?> query) throws Exception {
    RequestStats s = measure(query);
    String msg = what + ": " + s + " vs table bytes " + fullScanBytes;
    // A hull read of these queries would be most of the table.
    assertThat(s.bytesRead()).as(msg).isLessThan(fullScanBytes / 20);
    assertThat(s.count(RequestStats.RequestKind.GET_RANGE)).as(msg).isLessThan(20);
    return s;
  }

  @Test
  void inListReadsOnlyItsKeysBlocks() throws Exception {
    assertReadsLittle(
        "IN",
        () ->
            assertThat(
                    collect(
                        env.executeSql(
                            "SELECT id, grp, qty FROM big WHERE id IN (3, 20000, 39999, 40001)")))
                .containsExactlyInAnyOrder(
                    "+I[3, g3, 3]", "+I[20000, g1, 0]", "+I[39999, g1, 99]"));
  }

  @Test
  void anOrOfAPointAndARangeReadsOnlyThoseTwo() throws Exception {
    assertReadsLittle(
        "OR",
        () ->
            assertThat(
                    collect(
                        env.executeSql(
                            "SELECT COUNT(*), SUM(qty) FROM big"
                                + " WHERE id = 1 OR id BETWEEN 30000 AND 30099")))
                .containsExactly("+I[101, " + (1 + 4950) + "]"));
  }

  @Test
  void compositeKeyPrefixesReadOnlyTheirRows() throws Exception {
    // (id, grp) is the key: id = 5 with two grp values and another id are three prefixes/keys.
    assertReadsLittle(
        "composite",
        () ->
            assertThat(
                    collect(
                        env.executeSql(
                            "SELECT id, grp FROM big WHERE (id = 5 AND grp IN ('g5', 'g6'))"
                                + " OR id = 38000")))
                .containsExactlyInAnyOrder("+I[5, g5]", "+I[38000, g4]"));
  }

  @Test
  void limitStopsTheReading() throws Exception {
    RequestStats s =
        assertReadsLittle(
            "LIMIT",
            () ->
                assertThat(collect(env.executeSql("SELECT id, name FROM big LIMIT 10")))
                    .hasSize(10));
    // Two readers, each at most 10 rows (of about 60 per 4 KiB block) from its first split and
    // nothing from the others: a few blocks plus opening the table, never the table.
    assertThat(s.bytesRead()).as("%s", s).isLessThan(200_000L);
  }
}
