package io.isledb.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.CommitMark;
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
 * Format stability and replay rule of the {@code restore} edit (docs/FORMAT.md, "Restore edit"):
 * {@code manifest-v2-edit-restore.json} (a rollback to version 4 of {@link GoldenManifestV2Test}'s
 * state, written at slot 7) and {@code manifest-v2-snapshot-restored.json} (the state after it)
 * decode to their samples and the samples encode to them. Regenerate (new files only):
 *
 * <pre>
 * mvn -pl isle-core test -Dtest=GoldenManifestRestoreTest -Disledb.golden.regenerate=true
 * </pre>
 */
class GoldenManifestRestoreTest {
  private static final long T = 1_732_412_100_000L;

  private static SstMeta meta(int n, long seq) {
    return Tables.table(0xc3f00 + n, "k" + n, "k" + n + "z", seq, seq);
  }

  private static Edit edit(long seq, Edit.Change c) {
    return new Edit(seq, Role.WRITER, 2, "writer-restore", T + seq, null, c);
  }

  /** Version 4 of GoldenManifestV2Test, then a fence, an add with a new user mark, a restore. */
  static final ManifestState PINNED = GoldenManifestV2Test.state();

  static final Edit RESTORE = edit(7, new Edit.Restore(PINNED));

  static ManifestState after() {
    return GoldenManifestV2Test.applyAll(
        PINNED,
        List.of(
            edit(5, new Edit.Fence()),
            edit(
                6,
                new Edit.AddTables(
                    List.of(meta(1, 20)), 25, -1, "sink-orders", 43, Map.of("key.encoding", "3"))),
            RESTORE));
  }

  static List<GoldenManifestTest.Golden> samples() {
    ManifestState s = after();
    return List.of(
        new GoldenManifestTest.Golden(
            "manifest-v2-edit-restore.json",
            ManifestCodec.encodeEdit(RESTORE),
            b -> restoreFields(ManifestCodec.decodeEdit("restore", 7, b)),
            restoreFields(RESTORE)),
        new GoldenManifestTest.Golden(
            "manifest-v2-snapshot-restored.json",
            ManifestCodec.encodeSnapshot(s, T + 8),
            b -> GoldenManifestTest.stateFields(ManifestCodec.decodeSnapshot("snapshot", 7, b)),
            GoldenManifestTest.stateFields(s)));
  }

  private static List<Object> restoreFields(Edit e) {
    Edit.Restore r = (Edit.Restore) e.change();
    return List.of(
        e.seq(),
        e.role(),
        e.epoch(),
        e.author(),
        e.timeMillis(),
        r.version(),
        GoldenManifestTest.stateFields(r.state()));
  }

  @Test
  void theRestoredStateIsThePinnedOneWithFencesAndSequenceNumbersKept() {
    ManifestState s = after();
    assertThat(s.seq()).isEqualTo(7);
    assertThat(s.l0()).isEqualTo(PINNED.l0());
    assertThat(s.runs()).isEqualTo(PINNED.runs());
    assertThat(s.lastSeq()).as("never lower than before the rollback").isEqualTo(25);
    assertThat(s.epoch(Role.WRITER)).isEqualTo(2);
    assertThat(s.commits().users())
        .as("marks of the pinned version: the rolled-back commit 43 applies again")
        .containsEntry("sink-orders", new CommitMark("sink-orders", 42, 2));
    assertThat(s.commits().properties()).containsEntry("key.encoding", "2");
  }

  @Test
  void onlyTheCurrentWriterMayRestore() {
    ManifestState s = PINNED.apply(edit(5, new Edit.Fence())).state();
    Edit byCompactor =
        new Edit(6, Role.COMPACTOR, 0, "compactor-x", T, null, new Edit.Restore(PINNED));
    assertThat(s.validate(byCompactor)).contains("may not restore");
    Edit stale = new Edit(6, Role.WRITER, 1, "writer-old", T, null, new Edit.Restore(PINNED));
    assertThat(s.validate(stale)).contains("was fenced");
    ManifestState future = s.apply(edit(6, new Edit.Restore(PINNED))).state();
    Edit ahead = edit(7, new Edit.Restore(future.apply(edit(7, new Edit.Fence())).state()));
    assertThat(future.validate(ahead)).contains("is not at or below");
  }

  @Test
  void aRestoreOfAFormatOneStateIsFormatOneAndRoundTrips() {
    ManifestState plain =
        ManifestState.empty()
            .apply(edit(1, new Edit.Fence()))
            .state()
            .apply(edit(2, new Edit.AddTables(List.of(meta(2, 1)), 1, -1)))
            .state();
    Edit e = edit(3, new Edit.Restore(plain));
    byte[] bytes = ManifestCodec.encodeEdit(e);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).startsWith("{\"format\":1,");
    assertThat(restoreFields(ManifestCodec.decodeEdit("r", 3, bytes))).isEqualTo(restoreFields(e));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void goldenDecodesToItsSampleAndTheSampleEncodesToTheGolden(GoldenManifestTest.Golden g)
      throws IOException {
    byte[] golden = GoldenManifestTest.golden(g.file());
    assertThat(g.decode().apply(golden)).as("decoded %s", g.file()).isEqualTo(g.expected());
    assertThat(Arrays.mismatch(golden, g.encoded()))
        .as(
            "first byte where this build's encoding differs from %s:\n%s",
            g.file(), new String(g.encoded(), StandardCharsets.UTF_8))
        .isEqualTo(-1);
  }

  @Test
  @EnabledIfSystemProperty(named = "isledb.golden.regenerate", matches = "true")
  void regenerate() throws IOException {
    for (GoldenManifestTest.Golden g : samples()) {
      Files.write(Path.of("src/test/resources/golden").resolve(g.file()), g.encoded());
    }
  }
}
