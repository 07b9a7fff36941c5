package io.isledb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.db.write.ExternalCommit;
import io.isledb.manifest.ChecksummedJson;
import io.isledb.manifest.Lease;
import io.isledb.manifest.SstHandleCodec;
import io.isledb.manifest.SstMeta;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link SstHandle} is an opaque, versioned, self-checking value: it round-trips through its bytes,
 * compares by value, shows only id/size/entries, and refuses every damaged or newer-format byte
 * string as CORRUPTION naming the fault. The golden handle (see GoldenManifestTest) keeps decoding.
 */
class SstHandleTest {
  private static final String GOLDEN_ID = "000000000000000000000000000a1f07";
  private static final String LEASE = Lease.objectName("sstwriter-1");

  private static SstMeta meta(String id, long size, long entries) {
    byte[] small = "a".getBytes(StandardCharsets.UTF_8);
    byte[] large = "secret-largest-key".getBytes(StandardCharsets.UTF_8);
    return new SstMeta(
        id, size, size - 100, small, large, 1, 2, 0, entries, 0, 0, 0, 0, 10, 20, 30, 0);
  }

  private static SstHandle handle() {
    return SstHandleCodec.of(meta(String.format("%032x", 1), 4096, 12), LEASE);
  }

  private static byte[] golden() throws IOException {
    try (InputStream in =
        SstHandleTest.class.getClassLoader().getResourceAsStream("golden/sst-handle-v1.json")) {
      assertThat(in).isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void theGoldenHandleDecodesToItsIdSizeAndEntryCount() throws IOException {
    SstHandle h = SstHandle.fromBytes(golden());
    assertThat(h.tableId()).isEqualTo(GOLDEN_ID);
    assertThat(h.sizeBytes()).isEqualTo(4103);
    assertThat(h.entryCount()).isEqualTo(57);
    assertThat(h.toBytes()).isEqualTo(golden());
  }

  @Test
  void aHandleRoundTripsThroughItsBytesAndComparesByValue() {
    SstHandle h = handle();
    SstHandle back = SstHandle.fromBytes(h.toBytes());
    assertThat(back).isEqualTo(h).hasSameHashCodeAs(h).isNotSameAs(h);
    assertThat(back.toBytes()).isEqualTo(h.toBytes());
    assertThat(List.of(back.tableId(), back.sizeBytes(), back.entryCount()))
        .containsExactly(String.format("%032x", 1), 4096L, 12L);
    assertThat(SstHandleCodec.meta(back)).isEqualTo(SstHandleCodec.meta(h));
    assertThat(SstHandleCodec.lease(back)).isEqualTo(LEASE);
    assertThat(SstHandleCodec.of(SstHandleCodec.meta(h), Lease.objectName("sstwriter-2")))
        .as("another lease")
        .isNotEqualTo(h);
    assertThat(SstHandleCodec.of(meta(String.format("%032x", 2), 4096, 12), LEASE))
        .as("another table")
        .isNotEqualTo(h);
  }

  @Test
  void toStringShowsOnlyIdSizeAndEntries() {
    String s = handle().toString();
    assertThat(s).contains(String.format("%032x", 1)).contains("4096").contains("12");
    assertThat(s).doesNotContain("sstwriter").doesNotContain("lease").doesNotContain("SstMeta");
  }

  @Test
  void garbageIsCorruption() {
    for (String junk : List.of("", "{}", "hello world, this is not a handle at all", "\n\n\n")) {
      assertCorrupt(junk.getBytes(StandardCharsets.UTF_8), "sst handle");
    }
    assertCorrupt(ChecksummedJson.encode(ChecksummedJson.object().put("x", 1)), "'format'");
  }

  @Test
  void everyTruncationIsCorruption() throws IOException {
    byte[] g = golden();
    for (int len = 0; len < g.length; len++) {
      assertCorrupt(Arrays.copyOf(g, len), "sst handle");
    }
  }

  @Test
  void everyFlippedByteIsCorruption() throws IOException {
    byte[] g = golden();
    for (int i = 0; i < g.length; i++) {
      byte[] bad = g.clone();
      bad[i] ^= 0x01;
      assertCorrupt(bad, "sst handle");
    }
    byte[] bad = g.clone();
    bad[10] ^= 0x01;
    assertCorrupt(bad, "failed its checksum");
  }

  @Test
  void aNewerFormatOrAnotherTypeIsCorruptionNamingIt() throws IOException {
    ObjectNode newer = (ObjectNode) ChecksummedJson.decode("h", golden());
    newer.put("format", 2);
    assertCorrupt(ChecksummedJson.encode(newer), "format version 2");
    ObjectNode other = (ObjectNode) ChecksummedJson.decode("h", golden());
    other.put("type", "lease");
    assertCorrupt(ChecksummedJson.encode(other), "'lease', expected 'sst-handle'");
  }

  @Test
  void nullBytesAreANullPointerException() {
    assertThatThrownBy(() -> SstHandle.fromBytes(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aHandleNotMadeByTheEngineIsRefusedBeforeCommit() {
    SstHandle real = handle();
    SstHandle foreign =
        new SstHandle() {
          @Override
          public String tableId() {
            return real.tableId();
          }

          @Override
          public long sizeBytes() {
            return real.sizeBytes();
          }

          @Override
          public long entryCount() {
            return real.entryCount();
          }

          @Override
          public byte[] toBytes() {
            return real.toBytes();
          }
        };
    assertThatThrownBy(() -> ExternalCommit.checkArguments(List.of(foreign), "token"))
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
        .hasMessageContaining("was not made by SstWriter.finish() or SstHandle.fromBytes()");
    // Its bytes are still a valid handle: a committer can read them back.
    assertThat(SstHandle.fromBytes(foreign.toBytes())).isEqualTo(real);
  }

  private static void assertCorrupt(byte[] data, String message) {
    assertThatThrownBy(() -> SstHandle.fromBytes(data))
        .as("%d bytes", data.length)
        .isInstanceOfSatisfying(
            IsleException.class, e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.CORRUPTION))
        .hasMessageContaining(message);
  }
}
