package io.isledb.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.CommitMark;
import io.isledb.CorruptionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Format stability of manifest format 2 (commit users and table properties, docs/FORMAT.md): the
 * golden files {@code manifest-v2-edit-add.json}, {@code manifest-v2-snapshot.json} and {@code
 * manifest-v2-pin-version.json} decode to their samples and the samples encode to them; objects
 * without the new fields stay format 1 byte for byte ({@link GoldenManifestTest}); a format 1
 * object carrying a format 2 field, and a format 3 object, are corruption. Regenerate (new files
 * only; never a released one):
 *
 * <pre>
 * mvn -pl isle-core test -Dtest=GoldenManifestV2Test -Disledb.golden.regenerate=true
 * </pre>
 */
class GoldenManifestV2Test {
  private static final long T = 1_732_412_000_000L;

  private static SstMeta meta(int n) {
    return Tables.table(0xb2f00 + n, "k" + n, "k" + n + "z", 1, 1).withGlobalSeq(10 + n);
  }

  private static final Edit ADD =
      new Edit(
          2,
          Role.WRITER,
          1,
          "committer-7e",
          T,
          null,
          new Edit.AddTables(
              List.of(meta(1)),
              11,
              -1,
              "sink-orders",
              42,
              Map.of("schema.0", "{\"fields\":[\"id\",\"amount\"]}", "key.encoding", "1")));

  /** fence, the add above, then a second user and a property replaced: version 4. */
  static ManifestState state() {
    return applyAll(
        ManifestState.empty(),
        List.of(
            new Edit(1, Role.WRITER, 1, "committer-7e", T, null, new Edit.Fence()),
            ADD,
            new Edit(
                3,
                Role.WRITER,
                1,
                "committer-7e",
                T + 1,
                null,
                new Edit.AddTables(List.of(), 11, -1, "sink-audit", 7, Map.of())),
            new Edit(
                4,
                Role.WRITER,
                1,
                "committer-7e",
                T + 2,
                null,
                new Edit.AddTables(List.of(), 11, -1, null, 0, Map.of("key.encoding", "2")))));
  }

  /** {@code s} after every edit of {@code edits}, each of which must be accepted. */
  static ManifestState applyAll(ManifestState s, List<Edit> edits) {
    for (Edit e : edits) {
      ManifestState.Applied a = s.apply(e);
      assertThat(a.rejection()).as("rejection of %s", e).isNull();
      s = a.state();
    }
    return s;
  }

  static List<GoldenManifestTest.Golden> samples() {
    ManifestState s = state();
    ManifestCodec.Pin pin = new ManifestCodec.Pin("checkpoint-9", s.seq(), T + 3, s);
    return List.of(
        new GoldenManifestTest.Golden(
            "manifest-v2-edit-add.json",
            ManifestCodec.encodeEdit(ADD),
            b -> ManifestCodec.decodeEdit("add", 2, b),
            ADD),
        new GoldenManifestTest.Golden(
            "manifest-v2-snapshot.json",
            ManifestCodec.encodeSnapshot(s, T + 4),
            b -> fields(ManifestCodec.decodeSnapshot("snapshot", s.seq(), b)),
            fields(s)),
        new GoldenManifestTest.Golden(
            "manifest-v2-pin-version.json",
            ManifestCodec.encodePin(pin),
            b -> fields(ManifestCodec.decodePin("pin", b).state()),
            fields(s)));
  }

  private static List<Object> fields(ManifestState s) {
    return GoldenManifestTest.stateFields(s);
  }

  @Test
  void samplesHoldTheDocumentedValues() {
    ManifestState s = state();
    assertThat(s.seq()).isEqualTo(4);
    assertThat(s.commits().users())
        .containsExactly(
            Map.entry("sink-audit", new CommitMark("sink-audit", 7, 3)),
            Map.entry("sink-orders", new CommitMark("sink-orders", 42, 2)));
    assertThat(s.commits().properties())
        .containsExactly(
            Map.entry("key.encoding", "2"),
            Map.entry("schema.0", "{\"fields\":[\"id\",\"amount\"]}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void goldenDecodesToItsSampleAndTheSampleEncodesToTheGolden(GoldenManifestTest.Golden g)
      throws IOException {
    byte[] golden = golden(g.file());
    assertThat(json(golden)).startsWith("{\"format\":2,\"type\":\"");
    assertThat(g.decode().apply(golden)).as("decoded %s", g.file()).isEqualTo(g.expected());
    assertThat(Arrays.mismatch(golden, g.encoded()))
        .as(
            "first byte where this build's encoding differs from %s:\n%s",
            g.file(), new String(g.encoded(), StandardCharsets.UTF_8))
        .isEqualTo(-1);
  }

  /** A format 1 build would ignore these fields and replay differently: they need format 2. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void formatTwoFieldsInAFormatOneObjectAreCorruption(GoldenManifestTest.Golden g)
      throws IOException {
    ObjectNode node = (ObjectNode) ChecksummedJson.decode(g.file(), golden(g.file()));
    node.put("format", 1);
    assertThatThrownBy(() -> g.decode().apply(ChecksummedJson.encode(node)))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("which format 1 does not have");
    int newer = 5; // edits, snapshots and pins have format 4 (forks, GoldenManifestV4Test)
    node.put("format", newer);
    assertThatThrownBy(() -> g.decode().apply(ChecksummedJson.encode(node)))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("format version " + newer);
  }

  @Test
  void mistypedFormatTwoFieldsAreCorruption() throws IOException {
    String add = json(golden("manifest-v2-edit-add.json"));
    for (String bad :
        List.of(
            add.replace("\"commitUser\":\"sink-orders\",", ""),
            add.replace("\"commitId\":42", "\"commitId\":\"42\""),
            add.replace("\"key.encoding\":\"1\"", "\"key.encoding\":1"),
            add.replace("\"commitId\":42", "\"commitId\":-1"))) {
      assertThat(bad).isNotEqualTo(add);
      byte[] obj =
          ChecksummedJson.encode(
              (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(bad));
      assertThatThrownBy(() -> ManifestCodec.decodeEdit("add", 2, obj))
          .as(bad)
          .isInstanceOf(CorruptionException.class);
    }
  }

  /** A state without commit users or properties is written as format 1, as before. */
  @Test
  void aStateWithoutTheNewFieldsStaysFormatOne() {
    ManifestState s =
        ManifestState.empty()
            .apply(new Edit(1, Role.WRITER, 1, "w", T, null, new Edit.Fence()))
            .state();
    assertThat(json(ManifestCodec.encodeSnapshot(s, T))).startsWith("{\"format\":1,");
    assertThat(json(ManifestCodec.encodeEdit(ADD))).startsWith("{\"format\":2,");
  }

  private static byte[] golden(String file) throws IOException {
    return GoldenManifestTest.golden(file);
  }

  private static String json(byte[] object) {
    return GoldenManifestTest.json(object);
  }

  /** Writes the format 2 golden files only; see the class javadoc. Never run in CI. */
  @Test
  @EnabledIfSystemProperty(named = "isledb.golden.regenerate", matches = "true")
  void regenerate() throws IOException {
    for (GoldenManifestTest.Golden g : samples()) {
      Files.write(Path.of("src/test/resources/golden").resolve(g.file()), g.encoded());
    }
  }
}
