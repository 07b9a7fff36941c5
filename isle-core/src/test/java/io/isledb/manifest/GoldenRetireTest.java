package io.isledb.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The retirement mark (docs/FORMAT.md, role {@code retired}; docs/PROTOCOL.md section 9, "Retired
 * sources"): golden file {@code manifest-v1-edit-retire.json} (a format 1 {@code fence} edit of the
 * role {@code retired}), its replay rule (no edit of any role applies after it), and a snapshot
 * keeping it. Regenerate (new files only):
 *
 * <pre>
 * mvn -pl isle-core test -Dtest=GoldenRetireTest -Disledb.golden.regenerate=true
 * </pre>
 */
class GoldenRetireTest {
  private static final long T = 1_732_412_400_000L;
  private static final String FILE = "manifest-v1-edit-retire.json";

  private static final Edit RETIRE =
      new Edit(3, Role.RETIRED, 1, "retire-4d", T, null, new Edit.Fence());

  @Test
  void goldenDecodesToItsSampleAndTheSampleEncodesToTheGolden() throws IOException {
    byte[] golden = GoldenManifestTest.golden(FILE);
    assertThat(ManifestCodec.decodeEdit("golden", 3, golden)).isEqualTo(RETIRE);
    byte[] encoded = ManifestCodec.encodeEdit(RETIRE);
    assertThat(Arrays.mismatch(golden, encoded))
        .as("first byte where this build's encoding differs:\n%s", text(encoded))
        .isEqualTo(-1);
    assertThat(text(golden)).startsWith("{\"format\":1,").contains("\"role\":\"retired\"");
  }

  @Test
  void nothingAppliesAfterTheRetirementAndASnapshotKeepsIt() {
    ManifestState s = ManifestState.empty();
    s = s.apply(new Edit(1, Role.WRITER, 1, "w", T, null, new Edit.Fence())).state();
    s = s.apply(new Edit(2, Role.GC, 1, "gc", T, null, new Edit.Fence())).state();
    assertThat(s.retired()).isFalse();
    ManifestState retired = s.apply(RETIRE).state();
    assertThat(retired.retired()).isTrue();
    for (Edit e :
        List.of(
            new Edit(4, Role.WRITER, 2, "w2", T, null, new Edit.Fence()),
            new Edit(4, Role.GC, 2, "gc2", T, null, new Edit.Fence()),
            new Edit(4, Role.WRITER, 1, "w", T, null, new Edit.AddTables(List.of(), 0, -1)),
            new Edit(4, Role.RETIRED, 2, "retire-5e", T, null, new Edit.Fence()))) {
      ManifestState.Applied a = retired.apply(e);
      assertThat(a.accepted()).as("%s after the retirement", e).isFalse();
      assertThat(a.rejection()).contains("retired");
      assertThat(a.state().seq()).isEqualTo(4);
    }
    ManifestState reread =
        ManifestCodec.decodeSnapshot("s", 3, ManifestCodec.encodeSnapshot(retired, T));
    assertThat(reread.retired()).as("retired after a snapshot round trip").isTrue();
  }

  @Test
  @EnabledIfSystemProperty(named = "isledb.golden.regenerate", matches = "true")
  void regenerate() throws IOException {
    Files.write(
        Path.of("src/test/resources/golden").resolve(FILE), ManifestCodec.encodeEdit(RETIRE));
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
