package io.isledb.flink.connector.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.RequestStats;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.testing.Awaiting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lookup functions without a cluster: what a lookup costs in storage requests (a cold lookup at
 * most two ranged GETs, a missing key none), one shared reader per table however many functions,
 * and new rows seen once the reader refreshed (never before its interval).
 */
class LookupFunctionCostTest {
  private static final long SEED = 20261130L;
  private static final int ROWS = 20_000;
  private static final RowType DIM =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                  DataTypes.FIELD("name", DataTypes.STRING()))
              .notNull()
              .getLogicalType();

  @TempDir Path dir;

  private String path() {
    return dir.toUri() + "dim";
  }

  private static GenericRowData row(long id) {
    return GenericRowData.of(id, StringData.fromString("name-" + id));
  }

  /** Even ids 0..2*ROWS in one table of 4 KiB blocks. */
  private void fill() {
    try (IsleTestTables t = new IsleTestTables(path(), DIM, List.of("id"), 4096)) {
      for (long id = 0; id < 2L * ROWS; id += 2) {
        t.put(row(id));
      }
      t.flush();
    }
  }

  private IsleRowDataLookupFunction function(Duration refresh) throws Exception {
    TableLocation location = TableLocation.of(path(), Map.of());
    TableSchemaInfo schema = TableSchemaInfo.resolve("dim", DIM, new int[] {0}, location);
    IsleRowDataLookupFunction f =
        new IsleRowDataLookupFunction(
            location, refresh, LookupCodecs.create(schema, new int[] {0, 1}, new int[] {0}), 3);
    f.open(new FunctionContext(null));
    return f;
  }

  private static Collection<RowData> lookup(IsleRowDataLookupFunction f, long id) {
    return f.lookup(GenericRowData.of(id));
  }

  @Test
  void coldLookupsCostAtMostTwoRangedGetsAndMissingKeysNone() throws Exception {
    fill();
    TableLocation location = TableLocation.of(path(), Map.of());
    try (SharedTables.Lease shared = SharedTables.acquire(location)) {
      IsleRowDataLookupFunction f = function(Duration.ofHours(1));
      try {
        SplittableRandom rnd = new SplittableRandom(SEED);
        int twoGets = 0;
        for (int n = 0; n < 200; n++) {
          long id = 2L * rnd.nextInt(ROWS);
          RequestStats before = shared.db().store().stats();
          Collection<RowData> rows = lookup(f, id);
          RequestStats cost = shared.db().store().stats().minus(before);
          String msg = "seed " + SEED + ", lookup " + n + " of id " + id + ": " + cost;
          assertThat(rows).as(msg).containsExactly(row(id));
          assertThat(cost.total())
              .as(msg)
              .isEqualTo(cost.count(RequestStats.RequestKind.GET_RANGE));
          assertThat(cost.gets()).as(msg).isLessThanOrEqualTo(2);
          twoGets += cost.gets() == 2 ? 1 : 0;
        }
        assertThat(twoGets).as("only the first lookup opens the table").isEqualTo(1);

        long missingGets = 0;
        for (int n = 0; n < 200; n++) {
          long id = 2L * rnd.nextInt(ROWS) + 1; // odd: never stored
          RequestStats before = shared.db().store().stats();
          assertThat(lookup(f, id)).isEmpty();
          RequestStats cost = shared.db().store().stats().minus(before);
          assertThat(cost.gets())
              .as("seed %d, missing id %d: %s", SEED, id, cost)
              .isLessThanOrEqualTo(1);
          missingGets += cost.total();
        }
        // The bloom filter rejects missing keys: only its rare false positives read a block.
        assertThat(missingGets).as("seed %d: requests of 200 missing keys", SEED).isLessThan(10);
      } finally {
        f.close();
      }
    }
  }

  @Test
  void functionsOfOneTableShareOneReader() throws Exception {
    fill();
    int before = SharedLookupReaders.openReaders();
    List<IsleRowDataLookupFunction> fs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      fs.add(function(Duration.ofHours(1)));
    }
    assertThat(SharedLookupReaders.openReaders()).isEqualTo(before + 1);
    for (IsleRowDataLookupFunction f : fs) {
      assertThat(lookup(f, 42)).containsExactly(row(42));
      f.close();
    }
    assertThat(SharedLookupReaders.openReaders()).isEqualTo(before);
  }

  @Test
  void newRowsAreSeenAfterTheRefreshIntervalNotBefore() throws Exception {
    fill();
    IsleRowDataLookupFunction slow = function(Duration.ofHours(1));
    IsleRowDataLookupFunction fast = function(Duration.ofMillis(50));
    try {
      assertThat(lookup(slow, 1)).isEmpty();
      assertThat(lookup(fast, 1)).isEmpty();
      try (IsleTestTables t = new IsleTestTables(path(), DIM, List.of("id"), 4096)) {
        t.put(row(1));
        t.flush();
      }
      Awaiting.until(
          () -> !lookup(fast, 1).isEmpty(),
          Duration.ofSeconds(30),
          () -> "the refreshed reader sees the new row");
      assertThat(lookup(fast, 1)).containsExactly(row(1));
      // The hourly reader has not refreshed: it still serves the version it opened.
      assertThat(lookup(slow, 1)).isEmpty();
    } finally {
      slow.close();
      fast.close();
    }
  }
}
