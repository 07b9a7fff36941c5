package io.isledb.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CommitMark;
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
 * The {@code remove-commit-users} edit (docs/FORMAT.md): golden file {@code
 * manifest-v2-edit-remove-commit-users.json} (removing user {@code sink-audit} from {@link
 * GoldenManifestV2Test}'s state at slot 5), its replay rule, and its refusal in a format 1 object.
 * Regenerate (new files only):
 *
 * <pre>
 * mvn -pl isle-core test -Dtest=GoldenRemoveCommitUsersTest -Disledb.golden.regenerate=true
 * </pre>
 */
class GoldenRemoveCommitUsersTest {
  private static final long T = 1_732_412_300_000L;
  private static final String FILE = "manifest-v2-edit-remove-commit-users.json";

  private static final Edit REMOVE =
      new Edit(
          5,
          Role.WRITER,
          1,
          "committer-7e",
          T,
          null,
          new Edit.RemoveCommitUsers(List.of("sink-audit")));

  @Test
  void goldenDecodesToItsSampleAndTheSampleEncodesToTheGolden() throws IOException {
    byte[] golden = GoldenManifestTest.golden(FILE);
    assertThat(ManifestCodec.decodeEdit("golden", 5, golden)).isEqualTo(REMOVE);
    byte[] encoded = ManifestCodec.encodeEdit(REMOVE);
    assertThat(Arrays.mismatch(golden, encoded))
        .as("first byte where this build's encoding differs:\n%s", text(encoded))
        .isEqualTo(-1);
    assertThat(text(golden)).startsWith("{\"format\":2,");
  }

  @Test
  void replayRemovesTheMarkAndASnapshotKeepsItRemoved() {
    ManifestState s = GoldenManifestV2Test.state();
    assertThat(s.commits().users()).containsKeys("sink-audit", "sink-orders");
    ManifestState after = s.apply(REMOVE).state();
    assertThat(after.commits().users().keySet()).containsExactly("sink-orders");
    assertThat(after.commits().properties()).isEqualTo(s.commits().properties());
    ManifestState reread =
        ManifestCodec.decodeSnapshot("s", 5, ManifestCodec.encodeSnapshot(after, T));
    assertThat(reread.commits().users())
        .containsExactly(java.util.Map.entry("sink-orders", new CommitMark("sink-orders", 42, 2)));
    // A fresh mark afterwards: identifier 1 of the removed user is accepted.
    Edit add =
        new Edit(
            6,
            Role.WRITER,
            1,
            "committer-7e",
            T + 1,
            null,
            new Edit.AddTables(
                List.of(), after.lastSeq(), -1, "sink-audit", 1, java.util.Map.of()));
    assertThat(after.apply(add).rejection()).isNull();
  }

  @Test
  void replayIgnoresARemovalOfAnUnknownUserOrByAnotherRole() {
    ManifestState s = GoldenManifestV2Test.state();
    Edit unknown =
        new Edit(5, Role.WRITER, 1, "w", T, null, new Edit.RemoveCommitUsers(List.of("nobody")));
    assertThat(s.apply(unknown).rejection()).contains("'nobody'").contains("has no mark");
    Edit byCompactor =
        new Edit(
            5, Role.COMPACTOR, 0, "c", T, null, new Edit.RemoveCommitUsers(List.of("sink-audit")));
    assertThat(s.validate(byCompactor)).isNotNull();
  }

  @Test
  void aFormatOneRemovalIsCorruption() throws IOException {
    String json = GoldenManifestTest.json(GoldenManifestTest.golden(FILE));
    String bad = json.replace("{\"format\":2,", "{\"format\":1,");
    byte[] obj =
        ChecksummedJson.encode(
            (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(bad));
    assertThatThrownBy(() -> ManifestCodec.decodeEdit("bad", 5, obj))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("which format 1 does not have");
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  @EnabledIfSystemProperty(named = "isledb.golden.regenerate", matches = "true")
  void regenerate() throws IOException {
    Files.write(
        Path.of("src/test/resources/golden").resolve(FILE), ManifestCodec.encodeEdit(REMOVE));
  }
}
