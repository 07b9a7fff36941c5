package io.isledb.flink.connector.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.Test;

/**
 * docs/flink-connector.md, section "SQL", lists every option of the {@code isle} table factory (its
 * own and Flink's lookup and sink options it accepts) with the type and default the code has: a new
 * or changed option fails this test until the page says so.
 */
class SqlOptionsDocsTest {
  private static final Path DOC = Path.of("..", "docs", "flink-connector.md");

  @Test
  void theSqlSectionListsEveryOptionWithItsTypeAndDefault() throws Exception {
    IsleDynamicTableFactory factory = new IsleDynamicTableFactory();
    Set<ConfigOption<?>> options = new LinkedHashSet<>(factory.requiredOptions());
    options.addAll(factory.optionalOptions());
    Map<String, String[]> documented = documentedOptions();
    StringBuilder expected = new StringBuilder();
    for (ConfigOption<?> o : options) {
      expected
          .append("| `")
          .append(o.key())
          .append("` | ")
          .append(type(o))
          .append(" | ")
          .append(defaultText(o))
          .append(" |\n");
    }
    String help = "expected rows (key | type | default):\n" + expected;
    Set<String> keys = new LinkedHashSet<>();
    for (ConfigOption<?> o : options) {
      keys.add(o.key());
      String[] row = documented.get(o.key());
      assertThat(row).as("docs row of %s; %s", o.key(), help).isNotNull();
      assertThat(row[1]).as("type of %s; %s", o.key(), help).isEqualTo(type(o));
      assertThat(row[2]).as("default of %s; %s", o.key(), help).isEqualTo(defaultText(o));
    }
    assertThat(documented.keySet()).as("documented options that do not exist").isEqualTo(keys);
  }

  /** The option rows of the "SQL" section's options table: key to cells. */
  private static Map<String, String[]> documentedOptions() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    int start = doc.indexOf("\n## SQL");
    assertThat(start).as("section SQL in %s", DOC).isPositive();
    int end = doc.indexOf("\n## ", start + 1);
    String section = doc.substring(start, end < 0 ? doc.length() : end);
    int table = section.indexOf("<!-- options -->");
    assertThat(table).as("the options table marker").isPositive();
    Map<String, String[]> rows = new TreeMap<>();
    for (String line : section.substring(table).split("\n")) {
      if (line.startsWith("| `")) {
        String[] cells = line.substring(1).split(" \\| ");
        for (int i = 0; i < cells.length; i++) {
          cells[i] = cells[i].trim();
        }
        rows.put(cells[0].replace("`", ""), cells);
      } else if (!rows.isEmpty() && !line.startsWith("|")) {
        break;
      }
    }
    return rows;
  }

  private static String type(ConfigOption<?> o) throws Exception {
    Method m = ConfigOption.class.getDeclaredMethod("getClazz");
    m.setAccessible(true);
    Class<?> c = (Class<?>) m.invoke(o);
    return c.isEnum() ? "Enum" : c.getSimpleName();
  }

  private static String defaultText(ConfigOption<?> o) {
    if (!o.hasDefaultValue()) {
      return "(none)";
    }
    Object v = o.defaultValue();
    if (v instanceof Duration d) {
      return TimeUtils.formatWithHighestUnit(d);
    }
    return String.valueOf(v);
  }
}
