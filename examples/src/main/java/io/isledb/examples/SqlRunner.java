package io.isledb.examples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * Runs a {@code .sql} script statement by statement in a batch {@link TableEnvironment}, as Flink's
 * SQL client would: {@code INSERT}s wait for their job, {@code SELECT}s print their rows. {@code
 * ${name}} in the script is replaced by a variable ({@code warehouse}: a folder for the tables).
 *
 * <p>Usage: {@code SqlRunner [script.sql] [name=value ...]}; without a script it runs the bundled
 * {@code sql/orders.sql} with {@code warehouse=file://$PWD/isle-data/sql}.
 */
public final class SqlRunner {
  private SqlRunner() {}

  public static void main(String[] args) throws Exception {
    String script = null;
    Map<String, String> vars = new java.util.LinkedHashMap<>();
    vars.put("warehouse", Path.of("isle-data", "sql").toAbsolutePath().toUri().toString());
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq > 0) {
        vars.put(a.substring(0, eq), a.substring(eq + 1));
      } else if (!a.isBlank()) {
        script = Files.readString(Path.of(a));
      }
    }
    run(script == null ? bundled("sql/orders.sql") : script, vars, true);
  }

  /** The text of a script bundled with the examples. */
  public static String bundled(String resource) throws IOException {
    try (InputStream in = SqlRunner.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("no such script on the classpath: " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * Runs every statement of {@code script}; returns the rows of each {@code SELECT} in order (as
   * Flink prints rows: {@code +I[ada, 2, 15.60]}).
   */
  public static List<List<String>> run(String script, Map<String, String> vars, boolean print)
      throws Exception {
    TableEnvironment tenv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
    List<List<String>> results = new ArrayList<>();
    for (String statement : statements(substitute(script, vars))) {
      if (print) {
        System.out.println("Flink SQL> " + statement.replace("\n", "\n        > ") + ";");
      }
      TableResult result = tenv.executeSql(statement);
      if (statement.regionMatches(true, 0, "SELECT", 0, 6)) {
        List<String> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = result.collect()) {
          it.forEachRemaining(r -> rows.add(r.toString()));
        }
        rows.sort(null);
        if (print) {
          rows.forEach(r -> System.out.println("  " + r));
          System.out.println("  (" + rows.size() + " rows)");
        }
        results.add(rows);
      } else {
        result.await();
        if (print) {
          System.out.println("  [OK]");
        }
      }
    }
    return results;
  }

  static String substitute(String script, Map<String, String> vars) {
    String out = script;
    for (Map.Entry<String, String> v : vars.entrySet()) {
      out = out.replace("${" + v.getKey() + "}", v.getValue().replaceAll("/+$", ""));
    }
    return out;
  }

  /** A line without its {@code --} comment (outside quotes). */
  static String withoutComment(String line) {
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      } else if (!quoted && c == '-' && i + 1 < line.length() && line.charAt(i + 1) == '-') {
        return line.substring(0, i);
      }
    }
    return line;
  }

  /** Splits a script at semicolons that end a line (after comments are dropped). */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : script.split("\n")) {
      String line = withoutComment(raw);
      String trimmed = line.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      current.append(current.length() == 0 ? "" : "\n").append(line.stripTrailing());
      if (trimmed.endsWith(";")) {
        current.setLength(current.length() - 1);
        out.add(current.toString().strip());
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().strip());
    }
    return out;
  }
}
