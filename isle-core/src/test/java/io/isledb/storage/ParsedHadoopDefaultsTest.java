package io.isledb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/**
 * Each store's Hadoop configuration is a copy of Hadoop's default resources parsed once per process
 * (parsing them for every store open was a tenth of a state backend's restore): the copies hold the
 * defaults, and what one store's settings set stays in that store's configuration.
 */
class ParsedHadoopDefaultsTest {
  @Test
  void copiesHoldTheDefaultsAndKeepTheirOwnSettings() {
    Configuration a =
        ObjectStores.configuration("file", Map.of("io.file.buffer.size", "8192"), "a");
    assertThat(ObjectStores.parsedDefaultsShared()).isTrue();
    Configuration b = ObjectStores.configuration("file", Map.of(), "b");
    // core-default.xml's value, from the parsed defaults.
    assertThat(b.get("io.file.buffer.size")).isEqualTo("4096");
    assertThat(a.get("io.file.buffer.size")).isEqualTo("8192");
    b.set("isle.test.only", "b");
    assertThat(a.get("isle.test.only")).isNull();
    assertThat(ObjectStores.configuration("file", Map.of(), "c").get("isle.test.only")).isNull();
    assertThat(ObjectStores.configuration("file", Map.of(), "d").get("io.file.buffer.size"))
        .isEqualTo("4096");
  }
}
