package io.isledb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQL-only example: the bundled script through the runner, its results against the model. */
class SqlRunnerITCase {
  @TempDir Path dir;

  @Test
  void bundledScriptWritesUpsertsAndReadsThemBack() throws Exception {
    List<List<String>> results =
        SqlRunner.run(
            SqlRunner.bundled("sql/orders.sql"),
            Map.of("warehouse", dir.toUri().toString()),
            false);
    // Model: orders 1..4 with order 2 upserted to 8.00.
    assertThat(results)
        .containsExactly(
            List.of("+I[ada, 2, 15.60]", "+I[bob, 1, 8.00]", "+I[cy, 1, 99.99]"),
            List.of("+I[2, bob, 8.00]", "+I[3, ada, 3.10]"));
    assertThat(dir.resolve("orders/manifest")).isDirectory();
  }

  @Test
  void statementsSplitAtLineEndSemicolonsAndSkipComments() {
    assertThat(SqlRunner.statements("-- c\nSELECT 1; -- one\n\nSELECT\n  'a;--b';\nSELECT 3"))
        .containsExactly("SELECT 1", "SELECT\n  'a;--b'", "SELECT 3");
  }
}
