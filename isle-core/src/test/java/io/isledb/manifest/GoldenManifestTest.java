package io.isledb.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.CorruptionException;
import io.isledb.SstHandle;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Format stability of every persisted JSON object kind: log edits of each change type, a snapshot,
 * CURRENT, settings, both pin kinds, leases with and without blob uniquifier prefixes, both GC
 * state objects, and a serialized {@link SstHandle} (which Flink stores inside its checkpoints).
 * The golden files under {@code src/test/resources/golden/} ({@code manifest-v1-<kind>.json} and
 * {@code sst-handle-v1.json}) were written by this format version's code from the fixed objects in
 * {@link #samples()}. Each must decode to exactly its sample (every field, written out literally
 * below) and the sample must encode to exactly the golden bytes (all these encodings are
 * deterministic).
 *
 * <p>A failure means the persisted format changed: never regenerate the files of a released format
 * version; a new version adds new files next to these (which must keep decoding). To write the
 * files, from the repository root (never run in CI: the property is unset there):
 *
 * <pre>
 * mvn -pl isle-core test -Dtest=GoldenManifestTest -Disledb.golden.regenerate=true
 * </pre>
 */
class GoldenManifestTest {
  private static final String DIR = "golden/";

  /** Every field different from every other, so a swapped or dropped field shows. */
  private static SstMeta meta(int n) {
    return new SstMeta(
        String.format("%032x", 0xa1f00 + n),
        4096 + n,
        3000 + n,
        ("key-" + n).getBytes(StandardCharsets.UTF_8),
        ("key-" + n + "\u00ff").getBytes(StandardCharsets.UTF_8),
        100 + n,
        200 + n,
        n == 2 ? 250 : 0,
        50 + n,
        5 + n,
        7 + n,
        1_800_000_000_000L + n,
        1_900_000_000_000L + n,
        1_690_000_000_000L + n,
        1_699_999_999_000L + n,
        1_700_000_000_000L + n,
        n);
  }

  private static final long T = 1_732_412_000_000L;

  private static final Edit FENCE =
      new Edit(1, Role.WRITER, 3, "writer-5f0c", T, null, new Edit.Fence());
  private static final Edit ADD =
      new Edit(
          2,
          Role.WRITER,
          3,
          "writer-5f0c",
          T + 1,
          "job-7:cp-42",
          new Edit.AddTables(List.of(meta(1), meta(2)), 8121, 1234));
  private static final Edit COMPACT =
      new Edit(
          3,
          Role.COMPACTOR,
          1,
          "compactor-9a",
          T + 2,
          null,
          new Edit.Compact(List.of(meta(1).id()), List.of(meta(3))));
  private static final Edit DROP =
      new Edit(
          4,
          Role.RETENTION,
          2,
          "retention-77",
          T + 3,
          null,
          new Edit.DropTables(List.of(meta(2).id()), 1000));

  /** The state after the edits above (and the compactor and retention fences): version 6. */
  private static ManifestState state() {
    ManifestState s = ManifestState.empty();
    for (Edit e :
        List.of(
            FENCE,
            new Edit(2, Role.COMPACTOR, 1, "compactor-9a", T, null, new Edit.Fence()),
            new Edit(3, Role.RETENTION, 2, "retention-77", T, null, new Edit.Fence()),
            withSeq(ADD, 4),
            withSeq(COMPACT, 5),
            withSeq(DROP, 6))) {
      ManifestState.Applied a = s.apply(e);
      assertThat(a.rejection()).as("rejection of %s", e).isNull();
      s = a.state();
    }
    return s;
  }

  private static Edit withSeq(Edit e, long seq) {
    return new Edit(seq, e.role(), e.epoch(), e.author(), e.timeMillis(), e.token(), e.change());
  }

  private static final ManifestCodec.Current CURRENT =
      new ManifestCodec.Current(64, 70, 1234, 1000, T + 4);
  private static final ManifestCodec.Settings SETTINGS =
      new ManifestCodec.Settings(600_000, "writer-5f0c", T + 5);
  private static final ManifestCodec.Pin HISTORY_PIN =
      new ManifestCodec.Pin("consumer-3", 57, T + 6, null);
  private static final Lease LEASE =
      new Lease("compactor-9a", 17, 0, List.of(meta(3).objectName(), meta(4).objectName()));
  private static final Lease LEASE_WITH_PREFIXES =
      new Lease(
          "sstwriter-3c",
          3,
          86_400_000,
          List.of(meta(5).objectName()),
          List.of("9f03c2d1e4", "00ab12cd"));
  private static final GcState.Pending GC_PENDING =
      new GcState.Pending(
          "gc-41",
          4,
          new TreeMap<>(
              Map.of(meta(6).objectName(), T + 7, "blobs/ab/ab01-00000000000000ff.blob", T + 8)));
  private static final GcState.Checkpoint GC_CHECKPOINT =
      new GcState.Checkpoint(
          "gc-41",
          4,
          T + 9,
          70,
          64,
          List.of(
              new GcState.LeaseSeen(Lease.objectName("compactor-9a"), 17, T + 10, 0),
              new GcState.LeaseSeen(Lease.objectName("sstwriter-3c"), 3, T + 11, 86_400_000)));
  private static final String HANDLE_LEASE = Lease.objectName("sstwriter-3c");

  /** A golden file: its resource name, the bytes this build writes, and the field checks. */
  record Golden(String file, byte[] encoded, Function<byte[], Object> decode, Object expected) {
    @Override
    public String toString() {
      return file;
    }
  }

  static List<Golden> samples() {
    ManifestState s = state();
    ManifestCodec.Pin versionPin = new ManifestCodec.Pin("checkpoint-7", s.seq(), T + 12, s);
    SstHandle handle = SstHandleCodec.of(meta(7), HANDLE_LEASE);
    return List.of(
        edit("edit-fence", FENCE),
        edit("edit-add", ADD),
        edit("edit-compact", COMPACT),
        edit("edit-drop", DROP),
        new Golden(
            "manifest-v1-snapshot.json",
            ManifestCodec.encodeSnapshot(s, T + 13),
            b -> stateFields(ManifestCodec.decodeSnapshot("snapshot", s.seq(), b)),
            stateFields(s)),
        new Golden(
            "manifest-v1-current.json",
            ManifestCodec.encodeCurrent(CURRENT),
            b -> ManifestCodec.decodeCurrent("CURRENT", b),
            CURRENT),
        new Golden(
            "manifest-v1-settings.json",
            ManifestCodec.encodeSettings(SETTINGS),
            b -> ManifestCodec.decodeSettings("settings", b),
            SETTINGS),
        new Golden(
            "manifest-v1-pin-history.json",
            ManifestCodec.encodePin(HISTORY_PIN),
            b -> ManifestCodec.decodePin("pin", b),
            HISTORY_PIN),
        new Golden(
            "manifest-v1-pin-version.json",
            ManifestCodec.encodePin(versionPin),
            b -> pinFields(ManifestCodec.decodePin("pin", b)),
            pinFields(versionPin)),
        new Golden("manifest-v1-lease.json", LEASE.encode(), b -> Lease.decode("lease", b), LEASE),
        new Golden(
            "manifest-v1-lease-blob-prefixes.json",
            LEASE_WITH_PREFIXES.encode(),
            b -> Lease.decode("lease", b),
            LEASE_WITH_PREFIXES),
        new Golden(
            "manifest-v1-gc-pending.json",
            GcStateCodec.encode(GC_PENDING),
            b -> GcStateCodec.decodePending("pending", b),
            GC_PENDING),
        new Golden(
            "manifest-v1-gc-checkpoint.json",
            GcStateCodec.encode(GC_CHECKPOINT),
            b -> GcStateCodec.decodeCheckpoint("checkpoint", b),
            GC_CHECKPOINT),
        new Golden(
            "sst-handle-v1.json",
            handle.toBytes(),
            b -> handleFields(SstHandle.fromBytes(b)),
            handleFields(handle)));
  }

  private static Golden edit(String kind, Edit e) {
    return new Golden(
        "manifest-v1-" + kind + ".json",
        ManifestCodec.encodeEdit(e),
        b -> ManifestCodec.decodeEdit(kind, e.seq(), b),
        e);
  }

  /** A state's fields (ManifestState has no equals). */
  static List<Object> stateFields(ManifestState s) {
    return List.of(
        s.seq(),
        s.fences(),
        s.lastSeq(),
        s.l0(),
        s.runs(),
        s.tokens(),
        s.maxCommittedLsn(),
        s.lowWatermarkLsn(),
        s.nextRunId(),
        s.commits().users(),
        s.commits().properties());
  }

  private static List<Object> pinFields(ManifestCodec.Pin p) {
    return List.of(p.name(), p.version(), p.timeMillis(), p.history(), stateFields(p.state()));
  }

  private static List<Object> handleFields(SstHandle h) {
    return List.of(
        h.tableId(),
        h.sizeBytes(),
        h.entryCount(),
        SstHandleCodec.lease(h),
        SstHandleCodec.meta(h));
  }

  static byte[] golden(String file) throws IOException {
    try (InputStream in =
        GoldenManifestTest.class.getClassLoader().getResourceAsStream(DIR + file)) {
      assertThat(in).as("golden file %s (regenerate: see the class javadoc)", file).isNotNull();
      return in.readAllBytes();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void goldenDecodesToItsSampleAndTheSampleEncodesToTheGolden(Golden g) throws IOException {
    byte[] golden = golden(g.file());
    assertThat(g.decode().apply(golden)).as("decoded %s", g.file()).isEqualTo(g.expected());
    assertThat(Arrays.mismatch(golden, g.encoded()))
        .as(
            "first byte where this build's encoding differs from %s (the format changed):\n%s",
            g.file(), new String(g.encoded(), StandardCharsets.UTF_8))
        .isEqualTo(-1);
  }

  /** The samples themselves, written out literally: the golden files hold these values. */
  @Test
  void samplesHoldTheDocumentedValues() {
    ManifestState s = state();
    assertThat(s.seq()).isEqualTo(6);
    assertThat(s.fences())
        .containsEntry(Role.WRITER, 3L)
        .containsEntry(Role.COMPACTOR, 1L)
        .containsEntry(Role.RETENTION, 2L);
    assertThat(s.l0()).isEmpty();
    assertThat(s.runs()).hasSize(1);
    assertThat(s.runs().get(0).tables()).containsExactly(meta(3));
    assertThat(s.tokens()).containsExactly(Map.entry("job-7:cp-42", 4L));
    assertThat(s.lastSeq()).isEqualTo(8121);
    assertThat(s.maxCommittedLsn()).isEqualTo(1234);
    assertThat(s.lowWatermarkLsn()).isEqualTo(1000);
    SstMeta m = meta(2);
    assertThat(m.id()).isEqualTo("000000000000000000000000000a1f02");
    assertThat(List.of(m.size(), m.tailOffset(), m.minSeq(), m.maxSeq(), m.globalSeq()))
        .containsExactly(4098L, 3002L, 102L, 202L, 250L);
    assertThat(
            List.of(
                m.entries(),
                m.tombstones(),
                m.expiring(),
                m.minExpiresAt(),
                m.maxExpiresAt(),
                m.minDataTime(),
                m.maxDataTime(),
                m.createdAt(),
                m.blobRefs()))
        .containsExactly(
            52L,
            7L,
            9L,
            1_800_000_000_002L,
            1_900_000_000_002L,
            1_690_000_000_002L,
            1_699_999_999_002L,
            1_700_000_000_002L,
            2L);
  }

  /** Every kind refuses a newer format, the way every reader treats an unreadable object. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void aNewerFormatIsCorruption(Golden g) throws IOException {
    byte[] golden = golden(g.file());
    assertThat(json(golden)).startsWith("{\"format\":1,\"type\":\"");
    ObjectNode node = (ObjectNode) ChecksummedJson.decode(g.file(), golden);
    // Format 2 exists for edits, snapshots and pins (commit users, properties); 3 for edits only
    // (bottommost compactions, GoldenManifestV3Test); 4 for edits, snapshots and pins (forks,
    // GoldenManifestV4Test).
    String f = g.file();
    int newer = f.contains("-edit-") || f.contains("-snapshot") || f.contains("-pin-") ? 5 : 3;
    node.put("format", newer);
    assertThatThrownBy(() -> g.decode().apply(ChecksummedJson.encode(node)))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("format version " + newer);
  }

  static String json(byte[] object) {
    String s = new String(object, StandardCharsets.UTF_8);
    return s.substring(0, s.indexOf("\ncrc32c:"));
  }

  /** Writes the golden files; see the class javadoc. Never run in CI. */
  @Test
  @EnabledIfSystemProperty(named = "isledb.golden.regenerate", matches = "true")
  void regenerate() throws IOException {
    Path dir = Path.of("src/test/resources/golden");
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (Golden g : samples()) {
      files.put(g.file(), g.encoded());
    }
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Files.write(dir.resolve(f.getKey()), f.getValue());
    }
  }
}
