package io.isledb.flink.connector.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DataStream API's RowData (de)serializers ({@link RowDataSerialization}) and SQL agree on a
 * table: rows written by a DataStream job are what a SQL SELECT and an IsleSource read back.
 */
class RowDataStreamITCase {
  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final RowType ROW =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                  DataTypes.FIELD("name", DataTypes.STRING()),
                  DataTypes.FIELD("amount", DataTypes.DECIMAL(10, 2)))
              .getLogicalType();

  @TempDir Path dir;

  private static RowData row(RowKind kind, long id, String name, String amount) {
    return GenericRowData.ofKind(
        kind,
        id,
        name == null ? null : StringData.fromString(name),
        amount == null ? null : DecimalData.fromBigDecimal(new BigDecimal(amount), 10, 2));
  }

  @Test
  void dataStreamWritesRowsThatSqlAndIsleSourceRead() throws Exception {
    String path = dir.toUri() + "orders";
    RowDataSerialization orders = RowDataSerialization.forTable(path, Map.of(), ROW, "id");

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.fromData(
            InternalTypeInfo.of(ROW),
            row(RowKind.INSERT, 1, "ann", "1.50"),
            row(RowKind.INSERT, 2, "bob", "2.00"),
            row(RowKind.INSERT, 3, "cy", null),
            row(RowKind.DELETE, 2, "bob", "2.00"),
            row(RowKind.UPDATE_BEFORE, 3, "cy", null),
            row(RowKind.UPDATE_AFTER, 3, "cyd", "30.25"),
            row(RowKind.INSERT, 4, null, "-4.00"))
        .keyBy(orders.keySelector())
        .sinkTo(orders.sinkBuilder().build());
    env.execute("rowdata-sink");

    TableEnvironment sql = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    sql.executeSql(
        "CREATE TABLE orders (id BIGINT NOT NULL, name STRING, amount DECIMAL(10, 2),"
            + " PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'isle', 'path' = '"
            + path
            + "')");
    assertThat(IsleSqlRoundTripITCase.collect(sql.executeSql("SELECT * FROM orders")))
        .containsExactly("+I[1, ann, 1.50]", "+I[3, cyd, 30.25]", "+I[4, null, -4.00]");

    StreamExecutionEnvironment readEnv = StreamExecutionEnvironment.getExecutionEnvironment();
    readEnv.setParallelism(2);
    List<String> read = new ArrayList<>();
    try (CloseableIterator<RowData> it =
        readEnv
            .fromSource(
                orders.sourceBuilder().bounded().build(),
                WatermarkStrategy.noWatermarks(),
                "orders")
            .executeAndCollect()) {
      while (it.hasNext()) {
        RowData r = it.next();
        read.add(
            r.getRowKind().shortString()
                + "["
                + r.getLong(0)
                + ", "
                + (r.isNullAt(1) ? null : r.getString(1))
                + ", "
                + (r.isNullAt(2) ? null : r.getDecimal(2, 10, 2))
                + "]");
      }
    }
    read.sort(null);
    assertThat(read).containsExactly("+I[1, ann, 1.50]", "+I[3, cyd, 30.25]", "+I[4, null, -4.00]");
  }

  @Test
  void sqlWrittenTableIsReadBackAndAnIncompatibleDeclarationIsRefused() throws Exception {
    String path = dir.toUri() + "sqlorders";
    TableEnvironment sql = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    sql.executeSql(
        "CREATE TABLE o (id BIGINT NOT NULL, name STRING, amount DECIMAL(10, 2),"
            + " PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'isle', 'path' = '"
            + path
            + "')");
    sql.executeSql("INSERT INTO o VALUES (7, 'x', 7.70), (8, 'y', CAST(NULL AS DECIMAL(10, 2)))")
        .await();

    RowDataSerialization o =
        RowDataSerialization.forTable(path, Map.of(), sql.from("o").getResolvedSchema());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    List<String> read = new ArrayList<>();
    try (CloseableIterator<RowData> it =
        env.fromSource(o.sourceBuilder().bounded().build(), WatermarkStrategy.noWatermarks(), "o")
            .executeAndCollect()) {
      while (it.hasNext()) {
        RowData r = it.next();
        read.add(
            r.getLong(0)
                + ":"
                + r.getString(1)
                + ":"
                + (r.isNullAt(2) ? null : r.getDecimal(2, 10, 2)));
      }
    }
    read.sort(null);
    assertThat(read).containsExactly("7:x:7.70", "8:y:null");

    RowType wrong =
        (RowType)
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                    DataTypes.FIELD("name", DataTypes.INT()),
                    DataTypes.FIELD("amount", DataTypes.DECIMAL(10, 2)))
                .getLogicalType();
    assertThatThrownBy(() -> RowDataSerialization.forTable(path, Map.of(), wrong, "id"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("name");
    assertThatThrownBy(() -> RowDataSerialization.forTable(path, Map.of(), ROW, "nope"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("nope");
  }
}
