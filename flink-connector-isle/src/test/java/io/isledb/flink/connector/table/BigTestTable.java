package io.isledb.flink.connector.table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.RowType;

/**
 * The 4 MB upsert table the push-down tests query ({@code IslePushDownITCase}, {@code
 * IsleKeyRangesAndLimitITCase}): {@link #ROWS} rows {@code (id, grp = 'g' || id % 7, name, qty = id
 * % 100)} with primary key {@code (id, grp)}, 4 KiB blocks, one table. The names are random hex
 * (incompressible), so the table is far above the reader's whole-download size and every read is a
 * ranged read of the blocks it needs.
 */
final class BigTestTable {
  static final int ROWS = 40_000;

  static final RowType ROW =
      (RowType)
          DataTypes.ROW(
                  DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                  DataTypes.FIELD("grp", DataTypes.STRING().notNull()),
                  DataTypes.FIELD("name", DataTypes.STRING()),
                  DataTypes.FIELD("qty", DataTypes.INT()))
              .getLogicalType();

  private BigTestTable() {}

  /** Writes the rows into the table at {@code path}, the names drawn from {@code seed}. */
  static void write(String path, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    try (IsleTestTables t = new IsleTestTables(path, ROW, List.of("id", "grp"), 4096)) {
      for (long id = 0; id < ROWS; id++) {
        byte[] noise = new byte[48];
        rnd.nextBytes(noise);
        t.put(
            GenericRowData.of(
                id,
                StringData.fromString("g" + (id % 7)),
                StringData.fromString(HexFormat.of().formatHex(noise)),
                (int) (id % 100)));
      }
      t.flush();
    }
  }

  /**
   * A batch environment at parallelism 2 with the table at {@code path} declared as {@code big}.
   */
  static TableEnvironment batchEnv(String path) {
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    env.getConfig().set("table.exec.resource.default-parallelism", "2");
    env.executeSql(
        "CREATE TABLE big (id BIGINT, grp STRING, name STRING, qty INT,"
            + " PRIMARY KEY (id, grp) NOT ENFORCED) WITH ('connector' = 'isle', 'path' = '"
            + path
            + "')");
    return env;
  }

  /** The bytes of the tables under {@code tableDir}: what a full scan reads. */
  static long sstBytes(Path tableDir) throws IOException {
    try (Stream<Path> files = Files.walk(tableDir)) {
      return files
          .filter(p -> p.toString().endsWith(".sst"))
          .mapToLong(p -> p.toFile().length())
          .sum();
    }
  }

  /** The sum of {@code qty} over ids {@code [from, to)}. */
  static long sumQty(long from, long to) {
    long s = 0;
    for (long id = from; id < to; id++) {
      s += id % 100;
    }
    return s;
  }
}
