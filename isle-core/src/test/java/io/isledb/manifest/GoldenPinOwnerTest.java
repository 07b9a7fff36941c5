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
 * Format stability of a pin with an owner and an expiry ({@code manifest-v1-pin-owned.json}), the
 * optional fields added to format 1 for pins (docs/FORMAT.md, "Pin"): the golden file decodes to
 * its sample and the sample encodes to it. The pins without them (the older golden files) decode
 * with no owner and no expiry, and encode to the same bytes as before ({@link GoldenManifestTest}).
 * Regenerate (never for a released form): {@code mvn -pl isle-core test -Dtest=GoldenPinOwnerTest
 * -Disledb.golden.regenerate=true}.
 */
class GoldenPinOwnerTest {
  private static final String FILE = "manifest-v1-pin-owned.json";
  private static final long T = 1_700_000_000_000L;

  static final ManifestCodec.Pin OWNED =
      new ManifestCodec.Pin("job-7-cp-42", 57, T + 14, null, "job-7", T + 14 + 86_400_000L);

  private static byte[] resource(String file) throws IOException {
    try (InputStream in =
        GoldenPinOwnerTest.class.getClassLoader().getResourceAsStream("golden/" + file)) {
      assertThat(in).as("golden file %s", file).isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void theOwnedPinDecodesToItsSampleAndEncodesToTheGolden() throws IOException {
    byte[] golden = resource(FILE);
    ManifestCodec.Pin p = ManifestCodec.decodePin("pin", golden);
    assertThat(p).isEqualTo(OWNED);
    assertThat(p.owner()).isEqualTo("job-7");
    assertThat(p.expiresAtMillis()).isEqualTo(1_700_086_400_014L);
    assertThat(p.history()).isTrue();
    assertThat(Arrays.mismatch(golden, ManifestCodec.encodePin(OWNED)))
        .as(
            "this build encodes:\n%s",
            new String(ManifestCodec.encodePin(OWNED), StandardCharsets.UTF_8))
        .isEqualTo(-1);
  }

  @Test
  void pinsOfTheOlderFormHaveNoOwnerAndNeverExpire() throws IOException {
    for (String f : new String[] {"manifest-v1-pin-version.json", "manifest-v1-pin-history.json"}) {
      ManifestCodec.Pin p = ManifestCodec.decodePin(f, resource(f));
      assertThat(p.owner()).as(f).isNull();
      assertThat(p.expires()).as(f).isFalse();
      assertThat(p.expiresAtMillis()).as(f).isEqualTo(ManifestCodec.Pin.NEVER);
      assertThat(new String(resource(f), StandardCharsets.UTF_8))
          .as(f)
          .doesNotContain("owner")
          .doesNotContain("expiresAt");
    }
  }

  @Test
  @EnabledIfSystemProperty(named = "isledb.golden.regenerate", matches = "true")
  void regenerate() throws IOException {
    Path dir = Path.of("src/test/resources/golden");
    Files.write(dir.resolve(FILE), ManifestCodec.encodePin(OWNED));
  }
}
