package io.isledb.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
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

/**
 * Manifest format 4: a fork's {@code fork} edit and the snapshot after it, with borrowed tables
 * ({@code home}, {@code clipFrom}, {@code clipTo}) and the state's {@code sources} (docs/FORMAT.md,
 * "Format 4"). The golden files decode to their samples and the samples encode to them; older
 * formats refuse the fields; the format 1 to 3 golden files keep decoding (their own tests).
 * Regenerate (new files only):
 *
 * <pre>
 * mvn -pl isle-core test -Dtest=GoldenManifestV4Test -Disledb.golden.regenerate=true
 * </pre>
 */
class GoldenManifestV4Test {
  private static final long T = 1_732_412_300_000L;
  private static final String EDIT_FILE = "manifest-v4-edit-fork.json";
  private static final String SNAPSHOT_FILE = "manifest-v4-snapshot-fork.json";

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static ManifestState forkState() {
    SstMeta a = Tables.table(0xf0a1, "k1", "k5", 1, 9).borrowedAs("jobs/src-a", b("k2"), null);
    SstMeta c = Tables.table(0xf0c1, "k6", "k9", 1, 11).borrowedAs("jobs/src-b", null, b("k8"));
    return ForkState.of(
        List.of(a),
        List.of(new SortedRun(1, List.of(c))),
        11,
        Map.of("key.encoding", "1"),
        List.of(
            new SourcePin("jobs/src-a", "fork-000000000000000000000000000000f1", 4),
            new SourcePin(
                "jobs/src-b",
                "fork-000000000000000000000000000000f1",
                7,
                List.of("jobs/src-b", "jobs/src-c"))));
  }

  static final Edit FORK =
      new Edit(2, Role.WRITER, 1, "fork-f1", T, null, new Edit.Fork(forkState()));

  private static ManifestState afterFork() {
    ManifestState s = ManifestState.empty();
    s = s.apply(new Edit(1, Role.WRITER, 1, "fork-f1", T - 1, null, new Edit.Fence())).state();
    ManifestState.Applied a = s.apply(FORK);
    assertThat(a.accepted()).as(a.rejection()).isTrue();
    return a.state();
  }

  @Test
  void forkEditGoldenDecodesAndEncodesToItself() throws IOException {
    byte[] golden = GoldenManifestTest.golden(EDIT_FILE);
    Edit decoded = ManifestCodec.decodeEdit("golden", 2, golden);
    assertThat(Arrays.mismatch(ManifestCodec.encodeEdit(decoded), golden)).isEqualTo(-1);
    assertThat(Arrays.mismatch(ManifestCodec.encodeEdit(FORK), golden))
        .as("this build's encoding differs:\n%s", new String(ManifestCodec.encodeEdit(FORK)))
        .isEqualTo(-1);
    ManifestState st = ((Edit.Fork) decoded.change()).state();
    SstMeta a = st.l0().get(0);
    assertThat(a.home()).isEqualTo("jobs/src-a");
    assertThat(a.clipFrom()).isEqualTo(b("k2"));
    assertThat(a.clipTo()).isNull();
    SstMeta c = st.runs().get(0).tables().get(0);
    assertThat(c.home()).isEqualTo("jobs/src-b");
    assertThat(c.clipFrom()).isNull();
    assertThat(c.clipTo()).isEqualTo(b("k8"));
    assertThat(st.commits().sources().get("jobs/src-b").homes())
        .containsExactly("jobs/src-b", "jobs/src-c");
    assertThat(st.commits().sources().get("jobs/src-a").homes()).containsExactly("jobs/src-a");
    assertThat(new String(golden, StandardCharsets.UTF_8)).startsWith("{\"format\":4,");
  }

  @Test
  void snapshotAfterTheForkGoldenDecodesAndEncodesToItself() throws IOException {
    byte[] golden = GoldenManifestTest.golden(SNAPSHOT_FILE);
    ManifestState s = afterFork();
    assertThat(Arrays.mismatch(ManifestCodec.encodeSnapshot(s, T + 1), golden)).isEqualTo(-1);
    ManifestState decoded = ManifestCodec.decodeSnapshot("golden", 2, golden);
    assertThat(Arrays.mismatch(ManifestCodec.encodeSnapshot(decoded, T + 1), golden)).isEqualTo(-1);
    assertThat(decoded.lastSeq()).isEqualTo(11);
    assertThat(decoded.commits().properties()).containsEntry("key.encoding", "1");
    assertThat(decoded.allTables()).allMatch(SstMeta::borrowed);
  }

  @Test
  void olderFormatsRefuseTheForkFields() throws IOException {
    for (String file : List.of(EDIT_FILE, SNAPSHOT_FILE)) {
      String json = new String(GoldenManifestTest.golden(file), StandardCharsets.UTF_8);
      json = json.substring(0, json.indexOf("\ncrc32c:")).replace("\"format\":4", "\"format\":3");
      byte[] older =
          ChecksummedJson.encode(
              (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(json));
      assertThatThrownBy(
              () -> {
                if (file.equals(EDIT_FILE)) {
                  ManifestCodec.decodeEdit("older", 2, older);
                } else {
                  ManifestCodec.decodeSnapshot("older", 2, older);
                }
              })
          .isInstanceOf(CorruptionException.class)
          .hasMessageContaining("format 3 does not have");
    }
  }

  @Test
  void aForkEditIsIgnoredOnADatabaseWithData() {
    ManifestState s = afterFork();
    Edit again = new Edit(3, Role.WRITER, 1, "fork-f2", T + 3, null, new Edit.Fork(forkState()));
    assertThat(s.apply(again).rejection()).contains("without data");
    Edit byCompactor = new Edit(2, Role.COMPACTOR, 0, "c", T, null, new Edit.Fork(forkState()));
    assertThat(
            ManifestState.empty()
                .apply(new Edit(1, Role.WRITER, 1, "w", T, null, new Edit.Fence()))
                .state()
                .apply(byCompactor)
                .accepted())
        .isFalse();
  }

  @Test
  void aRestoreKeepsTheForksSources() {
    ManifestState s = afterFork();
    ManifestState empty =
        ManifestState.empty()
            .apply(new Edit(1, Role.WRITER, 1, "w", T, null, new Edit.Fence()))
            .state();
    ManifestState restored =
        s.apply(new Edit(3, Role.WRITER, 1, "w", T + 3, null, new Edit.Restore(empty))).state();
    assertThat(restored.allTables()).isEmpty();
    assertThat(restored.commits().sources()).containsOnlyKeys("jobs/src-a", "jobs/src-b");
  }

  /** Writes the golden files; see the class javadoc. Never run in CI. */
  @Test
  @EnabledIfSystemProperty(named = "isledb.golden.regenerate", matches = "true")
  void regenerate() throws IOException {
    Path dir = Path.of("src/test/resources/golden");
    Files.write(dir.resolve(EDIT_FILE), ManifestCodec.encodeEdit(FORK));
    Files.write(dir.resolve(SNAPSHOT_FILE), ManifestCodec.encodeSnapshot(afterFork(), T + 1));
  }
}
