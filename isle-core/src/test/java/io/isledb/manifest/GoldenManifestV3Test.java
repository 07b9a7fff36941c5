package io.isledb.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.CorruptionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Manifest format 3: a {@code compact} edit flagged {@code bottommost} (docs/FORMAT.md, "Format
 * 3"), and its replay rule (PROTOCOL.md section 4, "Racing roles"). The golden file {@code
 * manifest-v3-edit-compact-bottommost.json} decodes to its sample and the sample encodes to it; the
 * format 1 compact golden file decodes as not bottommost. Regenerate (new files only):
 *
 * <pre>
 * mvn -pl isle-core test -Dtest=GoldenManifestV3Test -Disledb.golden.regenerate=true
 * </pre>
 */
class GoldenManifestV3Test {
  private static final long T = 1_732_412_200_000L;
  private static final String FILE = "manifest-v3-edit-compact-bottommost.json";

  private static SstMeta meta(int n, long seq) {
    return Tables.table(0xd4f00 + n, "k" + n, "k" + n + "z", seq, seq);
  }

  private static final Edit BOTTOMMOST =
      new Edit(
          9,
          Role.COMPACTOR,
          2,
          "compactor-b0",
          T,
          null,
          new Edit.Compact(List.of(meta(1, 1).id(), meta(2, 2).id()), List.of(meta(3, 2)), true));

  private static Edit writer(long seq, Edit.Change c) {
    return new Edit(seq, Role.WRITER, 1, "writer-1", T + seq, null, c);
  }

  private static Edit compactor(long seq, Edit.Change c) {
    return new Edit(seq, Role.COMPACTOR, 1, "compactor-1", T + seq, null, c);
  }

  /** Runs [run 2 = {t2}, run 1 = {t1}] (newest first) and L0 [t3]: version 8. */
  private static ManifestState twoRuns() {
    return GoldenManifestV2Test.applyAll(
        ManifestState.empty(),
        List.of(
            writer(1, new Edit.Fence()),
            compactor(2, new Edit.Fence()),
            writer(3, new Edit.AddTables(List.of(meta(1, 1)), 1, -1)),
            compactor(4, new Edit.Compact(List.of(meta(1, 1).id()), List.of(meta(11, 1)), true)),
            writer(5, new Edit.AddTables(List.of(meta(2, 2)), 2, -1)),
            compactor(6, new Edit.Compact(List.of(meta(2, 2).id()), List.of(meta(12, 2)))),
            writer(7, new Edit.AddTables(List.of(meta(3, 3)), 3, -1)),
            writer(8, new Edit.AddTables(List.of(), 3, -1))));
  }

  @Test
  void goldenDecodesToItsSampleAndTheSampleEncodesToTheGolden() throws IOException {
    byte[] golden = GoldenManifestTest.golden(FILE);
    assertThat(ManifestCodec.decodeEdit("golden", 9, golden)).isEqualTo(BOTTOMMOST);
    byte[] encoded = ManifestCodec.encodeEdit(BOTTOMMOST);
    assertThat(Arrays.mismatch(golden, encoded))
        .as("first byte where this build's encoding differs:\n%s", text(encoded))
        .isEqualTo(-1);
    assertThat(text(golden)).startsWith("{\"format\":3,").contains("\"bottommost\":true");
  }

  @Test
  void aCompactionThatKeptDeletionsIsWrittenAsBeforeAndOldEditsDecodeAsNotBottommost()
      throws IOException {
    Edit kept =
        new Edit(9, Role.COMPACTOR, 2, "c", T, null, new Edit.Compact(List.of("a"), List.of()));
    assertThat(text(ManifestCodec.encodeEdit(kept)))
        .startsWith("{\"format\":1,")
        .doesNotContain("bottommost");
    Edit old =
        ManifestCodec.decodeEdit(
            "v1", 3, GoldenManifestTest.golden("manifest-v1-edit-compact.json"));
    assertThat(((Edit.Compact) old.change()).bottommost()).isFalse();
  }

  @Test
  void theFlagInAnOlderFormatOrMistypedIsCorruption() throws IOException {
    String json = GoldenManifestTest.json(GoldenManifestTest.golden(FILE));
    for (int older : List.of(1, 2)) {
      String bad = json.replace("{\"format\":3,", "{\"format\":" + older + ",");
      assertThatThrownBy(() -> ManifestCodec.decodeEdit("bad", 9, encode(bad)))
          .isInstanceOf(CorruptionException.class)
          .hasMessageContaining("'bottommost', which format " + older + " does not have");
    }
    String mistyped = json.replace("\"bottommost\":true", "\"bottommost\":1");
    assertThatThrownBy(() -> ManifestCodec.decodeEdit("bad", 9, encode(mistyped)))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("'bottommost' is not a boolean");
  }

  @Test
  void aBottommostCompactionWithARunBelowItsInputsIsIgnoredByReplay() {
    ManifestState s = twoRuns();
    assertThat(s.runs()).hasSize(2);
    long below = s.runs().get(1).id();
    List<String> upper = List.of(meta(3, 3).id(), meta(12, 2).id());
    Edit bottom = compactor(9, new Edit.Compact(upper, List.of(meta(20, 3)), true));
    ManifestState.Applied a = s.apply(bottom);
    assertThat(a.rejection())
        .as("L0 and the newer run only: run %s is below", below)
        .contains("bottommost")
        .contains("run " + below + " below its inputs");
    assertThat(a.state().runs()).isEqualTo(s.runs());
    assertThat(a.state().l0()).isEqualTo(s.l0());

    Edit l0Only = compactor(9, new Edit.Compact(List.of(meta(3, 3).id()), List.of(), true));
    assertThat(s.validate(l0Only))
        .as("L0 alone: the newest run is below")
        .contains("run " + s.runs().get(0).id() + " below");

    // The same compaction without the flag (every edit written before format 3) replays as always.
    Edit kept = compactor(9, new Edit.Compact(upper, List.of(meta(20, 3))));
    assertThat(s.apply(kept).rejection()).isNull();

    // Down to the oldest run it is the bottom, flag or not.
    List<String> all = List.of(meta(3, 3).id(), meta(12, 2).id(), meta(11, 1).id());
    Edit everything = compactor(9, new Edit.Compact(all, List.of(meta(20, 3)), true));
    ManifestState merged = s.apply(everything).state();
    assertThat(merged.runs()).hasSize(1);
    assertThat(merged.l0()).isEmpty();
  }

  private static String text(byte[] object) {
    return new String(object, StandardCharsets.UTF_8);
  }

  private static byte[] encode(String json) throws IOException {
    return ChecksummedJson.encode((ObjectNode) new ObjectMapper().readTree(json));
  }

  @Test
  @EnabledIfSystemProperty(named = "isledb.golden.regenerate", matches = "true")
  void regenerate() throws IOException {
    Files.write(
        Path.of("src/test/resources/golden").resolve(FILE), ManifestCodec.encodeEdit(BOTTOMMOST));
  }
}
