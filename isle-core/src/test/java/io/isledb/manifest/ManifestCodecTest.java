package io.isledb.manifest;

import static io.isledb.manifest.Tables.id;
import static io.isledb.manifest.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CorruptionException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestCodecTest {
  private static ManifestState sample() {
    ManifestState s = ManifestState.empty();
    s = s.apply(new Edit(1, Role.WRITER, 1, "w", 5, null, new Edit.Fence())).state();
    s = s.apply(new Edit(2, Role.COMPACTOR, 1, "c", 5, null, new Edit.Fence())).state();
    s =
        s.apply(
                new Edit(
                    3,
                    Role.WRITER,
                    1,
                    "w",
                    6,
                    "tok",
                    new Edit.AddTables(List.of(table(1, "a", "m", 1, 10)), 10, 77)))
            .state();
    s =
        s.apply(
                new Edit(
                    4,
                    Role.WRITER,
                    1,
                    "w",
                    7,
                    null,
                    new Edit.AddTables(List.of(table(2, "", "\u00ff", 11, 20)), 20, -1)))
            .state();
    s =
        s.apply(
                new Edit(
                    5,
                    Role.COMPACTOR,
                    1,
                    "c",
                    8,
                    null,
                    new Edit.Compact(List.of(id(1)), List.of(table(3, "a", "m", 1, 10)))))
            .state();
    return s;
  }

  @Test
  void editsRoundTrip() {
    List<Edit> edits =
        List.of(
            new Edit(1, Role.WRITER, 3, "author", 12, null, new Edit.Fence()),
            new Edit(
                2,
                Role.WRITER,
                3,
                "author",
                13,
                "job-1:7",
                new Edit.AddTables(
                    List.of(table(1, "a", "b", 1, 2), table(2, "c", "d", 3, 4).withGlobalSeq(9)),
                    9,
                    100)),
            new Edit(
                3,
                Role.COMPACTOR,
                1,
                "c",
                14,
                null,
                new Edit.Compact(List.of(id(1), id(2)), List.of(table(3, "a", "d", 1, 9)))),
            new Edit(4, Role.RETENTION, 2, "r", 15, null, new Edit.DropTables(List.of(id(3)), 55)));
    for (Edit e : edits) {
      byte[] bytes = ManifestCodec.encodeEdit(e);
      assertThat(ManifestCodec.decodeEdit("x", e.seq(), bytes)).isEqualTo(e);
    }
  }

  @Test
  void snapshotsRoundTrip() {
    ManifestState s = sample();
    ManifestState back =
        ManifestCodec.decodeSnapshot("x", s.seq(), ManifestCodec.encodeSnapshot(s, 99));
    assertThat(back.seq()).isEqualTo(s.seq());
    assertThat(back.fences()).isEqualTo(s.fences());
    assertThat(back.l0()).isEqualTo(s.l0());
    assertThat(back.runs()).isEqualTo(s.runs());
    assertThat(back.tokens()).isEqualTo(s.tokens());
    assertThat(back.lastSeq()).isEqualTo(s.lastSeq());
    assertThat(back.maxCommittedLsn()).isEqualTo(77);
    assertThat(back.nextRunId()).isEqualTo(s.nextRunId());
  }

  @Test
  void currentAndPinRoundTrip() {
    ManifestCodec.Current c = new ManifestCodec.Current(32, 40, 7, 3, 1234);
    assertThat(ManifestCodec.decodeCurrent("CURRENT", ManifestCodec.encodeCurrent(c))).isEqualTo(c);
    ManifestCodec.Pin history = new ManifestCodec.Pin("tail-1", 41, 5, null);
    assertThat(ManifestCodec.decodePin("p", ManifestCodec.encodePin(history))).isEqualTo(history);
    ManifestState s = sample();
    ManifestCodec.Pin version = new ManifestCodec.Pin("checkpoint-7", s.seq(), 5, s);
    ManifestCodec.Pin back = ManifestCodec.decodePin("p", ManifestCodec.encodePin(version));
    assertThat(back.history()).isFalse();
    assertThat(back.name()).isEqualTo("checkpoint-7");
    assertThat(back.version()).isEqualTo(s.seq());
    assertThat(back.state().seq()).isEqualTo(s.seq());
    assertThat(back.state().allTables()).isEqualTo(s.allTables());
    assertThat(back.state().fences()).isEqualTo(s.fences());
    assertThat(back.state().lastSeq()).isEqualTo(s.lastSeq());
    assertThat(back.state().tokens()).isEqualTo(s.tokens());
    // The embedded state is a snapshot of exactly the pinned version.
    assertThatThrownBy(() -> ManifestCodec.encodePin(new ManifestCodec.Pin("x", s.seq() + 1, 5, s)))
        .isInstanceOfSatisfying(
            io.isledb.IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(io.isledb.IsleException.Kind.INTERNAL));
  }

  private static byte[] rawPin(String kind) {
    com.fasterxml.jackson.databind.node.ObjectNode n = ChecksummedJson.object();
    n.put("format", 1);
    n.put("type", "pin");
    n.put("name", "old");
    n.put("version", 9);
    if (kind != null) {
      n.put("kind", kind);
    }
    n.put("time", 3);
    return ChecksummedJson.encode(n);
  }

  @Test
  void pinWithoutKindIsAHistoryPinAndAnUnknownKindIsCorruption() {
    assertThat(ManifestCodec.decodePin("p", rawPin(null)))
        .isEqualTo(new ManifestCodec.Pin("old", 9, 3, null));
    assertThatThrownBy(() -> ManifestCodec.decodePin("manifest/pins/old.json", rawPin("version")))
        .as("a version pin without its state")
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("'state'");
    assertThatThrownBy(() -> ManifestCodec.decodePin("manifest/pins/old.json", rawPin("forever")))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("manifest/pins/old.json")
        .hasMessageContaining("'forever'");
  }

  @Test
  void everySingleByteChangeIsDetected() {
    byte[] good = ManifestCodec.encodeSnapshot(sample(), 1);
    for (int i = 0; i < good.length; i++) {
      for (int bit : new int[] {0x01, 0x80}) {
        byte[] bad = good.clone();
        bad[i] ^= (byte) bit;
        int at = i;
        assertThatThrownBy(() -> ManifestCodec.decodeSnapshot("snap", sample().seq(), bad))
            .as("flip at byte %d", at)
            .isInstanceOf(CorruptionException.class);
      }
    }
  }

  @Test
  void truncationIsDetected() {
    byte[] good =
        ManifestCodec.encodeEdit(new Edit(1, Role.WRITER, 1, "w", 1, null, new Edit.Fence()));
    for (int len = 0; len < good.length; len++) {
      byte[] bad = Arrays.copyOf(good, len);
      assertThatThrownBy(() -> ManifestCodec.decodeEdit("e", 1, bad))
          .isInstanceOf(CorruptionException.class);
    }
  }

  @Test
  void wrongSlotTypeOrVersionIsCorruption() {
    byte[] edit =
        ManifestCodec.encodeEdit(new Edit(5, Role.WRITER, 1, "w", 1, null, new Edit.Fence()));
    assertThatThrownBy(() -> ManifestCodec.decodeEdit("e", 6, edit))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("claims slot 5");
    assertThatThrownBy(() -> ManifestCodec.decodeSnapshot("e", 5, edit))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("'edit'");
    String json =
        "{\"format\":2,\"type\":\"current\",\"snapshotSeq\":1,\"headSeq\":1,\"maxCommittedLsn\":-1,\"lowWatermarkLsn\":-1,\"time\":1}";
    assertThatThrownBy(() -> ManifestCodec.decodeCurrent("c", withTrailer(json)))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("format version 2");
    String unknown =
        "{\"format\":1,\"type\":\"edit\",\"seq\":1,\"role\":\"writer\",\"epoch\":1,\"author\":\"a\",\"time\":1,\"change\":{\"type\":\"teleport\"}}";
    assertThatThrownBy(() -> ManifestCodec.decodeEdit("e", 1, withTrailer(unknown)))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("teleport");
  }

  private static byte[] withTrailer(String json) {
    byte[] j = json.getBytes(StandardCharsets.UTF_8);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(j);
    return (json + String.format("\ncrc32c:%08x\n", crc.getValue()))
        .getBytes(StandardCharsets.UTF_8);
  }
}
