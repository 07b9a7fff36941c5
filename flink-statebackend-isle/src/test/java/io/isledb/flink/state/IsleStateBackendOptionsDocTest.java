package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;
import org.junit.jupiter.api.Test;

/**
 * docs/flink-statebackend.md lists every option of {@link IsleStateBackendOptions} and its default.
 */
class IsleStateBackendOptionsDocTest {
  @Test
  void everyOptionIsDocumentedWithItsDefault() throws Exception {
    Path doc = Path.of("..", "docs", "flink-statebackend.md");
    Map<String, String> defaults = new HashMap<>();
    for (String line : Files.readAllLines(doc)) {
      String[] cells = line.split("\\|");
      if (cells.length > 4 && cells[1].trim().startsWith("`state.backend.isle.")) {
        defaults.put(cells[1].trim().replace("`", ""), cells[3].trim().replace("`", ""));
      }
    }
    int options = 0;
    for (Field f : IsleStateBackendOptions.class.getFields()) {
      if (!Modifier.isStatic(f.getModifiers()) || f.getType() != ConfigOption.class) {
        continue;
      }
      options++;
      ConfigOption<?> option = (ConfigOption<?>) f.get(null);
      assertThat(defaults).as("documented options").containsKey(option.key());
      String documented = defaults.get(option.key());
      if (!option.hasDefaultValue()) {
        assertThat(documented).as(option.key()).doesNotMatch("^[0-9].*");
        continue;
      }
      Object def = option.defaultValue();
      Object parsed =
          def instanceof MemorySize
              ? MemorySize.parse(documented)
              : def instanceof Integer
                  ? Integer.valueOf(documented)
                  : def instanceof Double
                      ? Double.valueOf(documented)
                      : def instanceof Boolean
                          ? Boolean.valueOf(documented)
                          : def instanceof java.time.Duration
                              ? org.apache.flink.util.TimeUtils.parseDuration(documented)
                              : documented;
      assertThat(parsed).as(option.key()).isEqualTo(def instanceof Enum<?> e ? e.name() : def);
    }
    assertThat(options).isGreaterThanOrEqualTo(10);
    assertThat(defaults.keySet())
        .as("no documented option that does not exist")
        .allMatch(k -> k.equals("state.backend.isle.hadoop.*") || existing().contains(k));
  }

  private static List<String> existing() {
    return java.util.Arrays.stream(IsleStateBackendOptions.class.getFields())
        .filter(f -> f.getType() == ConfigOption.class)
        .map(
            f -> {
              try {
                return ((ConfigOption<?>) f.get(null)).key();
              } catch (IllegalAccessException e) {
                throw new AssertionError(e);
              }
            })
        .toList();
  }
}
