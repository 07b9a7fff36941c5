package io.isledb.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Format stability of a pin with a hold object ({@code manifest-v1-pin-held.json}), the optional
 * {@code holdObject} field of format 1 pins (docs/FORMAT.md, "Pin"): the golden file decodes to its
 * sample and the sample encodes to it; pins without the field decode with no hold. Regenerate
 * (never for a released form): {@code mvn -pl isle-core test -Dtest=GoldenPinHoldTest
 * -Disledb.golden.regenerate=true}.
 */
class GoldenPinHoldTest {
  private static final String FILE = "manifest-v1-pin-held.json";
  private static final long T = 1_700_000_000_000L;

  static final ManifestCodec.Pin HELD =
      new ManifestCodec.Pin(
          "chk-42-9f3a",
          57,
          T + 14,
          null,
          "flink job 7",
          T + 14 + 86_400_000L,
          "pin-holds/chk-42-9f3a");

  private static byte[] resource(String file) throws IOException {
    try (InputStream in =
        GoldenPinHoldTest.class.getClassLoader().getResourceAsStream("golden/" + file)) {
      assertThat(in).as("golden file %s", file).isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void theHeldPinDecodesToItsSampleAndEncodesToTheGolden() throws IOException {
    byte[] golden = resource(FILE);
    ManifestCodec.Pin p = ManifestCodec.decodePin("pin", golden);
    assertThat(p).isEqualTo(HELD);
    assertThat(p.holdObject()).isEqualTo(ManifestPaths.pinHold("chk-42-9f3a"));
    assertThat(Arrays.mismatch(golden, ManifestCodec.encodePin(HELD)))
        .as(
            "this build encodes:\n%s",
            new String(ManifestCodec.encodePin(HELD), StandardCharsets.UTF_8))
        .isEqualTo(-1);
  }

  @Test
  void pinsWithoutTheFieldHaveNoHold() throws IOException {
    for (String f :
        new String[] {
          "manifest-v1-pin-version.json",
          "manifest-v1-pin-history.json",
          "manifest-v1-pin-owned.json"
        }) {
      assertThat(ManifestCodec.decodePin(f, resource(f)).holdObject()).as(f).isNull();
    }
  }

  @Test
  @EnabledIfSystemProperty(named = "isledb.golden.regenerate", matches = "true")
  void regenerate() throws IOException {
    Path dir = Path.of("src/test/resources/golden");
    Files.write(dir.resolve(FILE), ManifestCodec.encodePin(HELD));
  }
}
