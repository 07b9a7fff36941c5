package io.isledb.flink.connector.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.flink.connector.internal.CapturingMetricGroup;
import io.isledb.flink.connector.internal.TableLocation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A lookup function's isle gauges: its reader's block cache and the table's store requests. */
class LookupMetricsTest {
  private static final RowType DIM =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                  DataTypes.FIELD("name", DataTypes.STRING()))
              .notNull()
              .getLogicalType();

  @TempDir Path dir;

  @Test
  void lookupsMoveTheCacheAndStoreGauges() throws Exception {
    String path = dir.toUri() + "dim";
    try (IsleTestTables t = new IsleTestTables(path, DIM, List.of("id"), 4096)) {
      for (long id = 0; id < 2000; id++) {
        t.put(GenericRowData.of(id, StringData.fromString("name-" + id)));
      }
      t.flush();
    }
    TableLocation location = TableLocation.of(path, Map.of());
    TableSchemaInfo schema = TableSchemaInfo.resolve("dim", DIM, new int[] {0}, location);
    IsleRowDataLookupFunction f =
        new IsleRowDataLookupFunction(
            location,
            Duration.ofHours(1),
            LookupCodecs.create(schema, new int[] {0, 1}, new int[] {0}),
            3);
    CapturingMetricGroup group = new CapturingMetricGroup();
    f.open(
        new FunctionContext(null) {
          @Override
          public MetricGroup getMetricGroup() {
            return group;
          }
        });
    try {
      assertThat(group.value("isle.blockCache.hitRatio").doubleValue()).isZero();
      long requests = group.value("isle.store.requests").longValue();

      assertThat(f.lookup(GenericRowData.of(7L))).hasSize(1); // cold: reads the block
      long misses = group.value("isle.blockCache.misses").longValue();
      assertThat(misses).isPositive();
      assertThat(group.value("isle.store.get_range").longValue()).isPositive();
      assertThat(group.value("isle.store.requests").longValue()).isGreaterThan(requests);
      assertThat(group.value("isle.store.bytesRead").longValue()).isPositive();

      for (int i = 0; i < 10; i++) {
        assertThat(f.lookup(GenericRowData.of(7L))).hasSize(1); // warm: the cached block
      }
      long hits = group.value("isle.blockCache.hits").longValue();
      assertThat(hits).isGreaterThanOrEqualTo(10);
      assertThat(group.value("isle.blockCache.hitRatio").doubleValue())
          .isEqualTo(hits / (double) (hits + group.value("isle.blockCache.misses").longValue()))
          .isGreaterThan(0.5);
    } finally {
      f.close();
    }
  }
}
