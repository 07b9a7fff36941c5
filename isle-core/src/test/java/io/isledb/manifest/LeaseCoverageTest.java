package io.isledb.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CorruptionException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lease format with blob uniquifier prefixes (issue 8 item 14b), and what a lease covers. */
class LeaseCoverageTest {
  private static final String SHA = "ab" + "0".repeat(62);
  private static final String TABLE = ManifestPaths.sst("0123456789abcdef0123456789abcdef");

  private static String blob(String uniquifier) {
    return ManifestPaths.blob(SHA + "-" + uniquifier);
  }

  @Test
  void aLeaseCoversItsNamedObjectsAndTheBlobsUnderItsPrefixes() {
    Lease l = new Lease("sstwriter-1", 3, 0, List.of(TABLE), List.of("00112233aa"));
    assertThat(l.covers(TABLE)).isTrue();
    assertThat(l.covers(blob("00112233aa000000"))).isTrue();
    assertThat(l.covers(blob("00112233aaffffff"))).isTrue();
    assertThat(l.covers(blob("00112233ab000000"))).isFalse();
    assertThat(l.covers(blob("10112233aa000000"))).isFalse();
    assertThat(l.covers(ManifestPaths.sst("00112233aa0000000000000000000000"))).isFalse();
    assertThat(l.covers("manifest/CURRENT")).isFalse();
    assertThat(l.covers(ManifestPaths.blob(SHA + "-00112233aa"))).isFalse(); // not a uniquifier

    Lease.Coverage c = new Lease.Coverage();
    assertThat(c.isEmpty()).isTrue();
    c.add(l);
    c.add(new Lease("compactor-2", 1, 0, List.of("sstable/fff/x.sst")));
    c.add(new Lease("sstwriter-3", 1, 0, List.of(), List.of("ffeeddcc")));
    assertThat(c.covers(TABLE)).isTrue();
    assertThat(c.covers("sstable/fff/x.sst")).isTrue();
    assertThat(c.covers(blob("00112233aa123456"))).isTrue();
    assertThat(c.covers(blob("ffeeddcc12345678"))).isTrue();
    assertThat(c.covers(blob("ffeeddcd12345678"))).isFalse();
  }

  @Test
  void prefixesRoundTripAndALeaseWithoutThemKeepsTheOldEncoding() {
    Lease withPrefixes =
        new Lease("sstwriter-1", 7, 86_400_000, List.of(TABLE), List.of("0011223344"));
    Lease back = Lease.decode("l", withPrefixes.encode());
    assertThat(back).isEqualTo(withPrefixes);

    Lease plain = new Lease("compactor-1", 2, 0, List.of(TABLE));
    String json = new String(plain.encode(), StandardCharsets.UTF_8);
    assertThat(json).doesNotContain("blobUniquifierPrefixes");
    assertThat(Lease.decode("l", plain.encode())).isEqualTo(plain);
    assertThat(Lease.decode("l", plain.encode()).blobUniquifierPrefixes()).isEmpty();
  }

  @Test
  void malformedPrefixesAreRefused() {
    for (String bad : new String[] {"", "0011223", "00112233445566778", "0011223G", "AABBCCDD"}) {
      assertThatThrownBy(() -> new Lease("a", 1, 0, List.of(), List.of(bad)))
          .hasMessageContaining("prefix");
      // A stored lease with such a prefix is unreadable, never read as covering less.
      byte[] good = new Lease("a", 1, 0, List.of(), List.of("00112233")).encode();
      byte[] forged = reencode(good, "00112233", bad);
      assertThatThrownBy(() -> Lease.decode("manifest/leases/a.json", forged))
          .isInstanceOf(CorruptionException.class);
    }
  }

  /** The lease with its prefix list replaced by {@code to} and a valid checksum. */
  private static byte[] reencode(byte[] lease, String from, String to) {
    assertThat(from).isNotEqualTo(to);
    var n = (com.fasterxml.jackson.databind.node.ObjectNode) ChecksummedJson.decode("l", lease);
    n.putArray("blobUniquifierPrefixes").add(to);
    return ChecksummedJson.encode(n);
  }

  @Test
  void onlyNamesInsideTheLeaseDirectoryAreLeaseNames() {
    assertThat(Lease.isObjectName(Lease.objectName("sstwriter-0123abcd"))).isTrue();
    assertThat(Lease.isObjectName("manifest/leases/compactor_1.json")).isTrue();
    for (String bad :
        new String[] {
          "manifest/leases/.json",
          "manifest/leases/../CURRENT.json",
          "manifest/leases/a/b.json",
          "manifest/leases/a.txt",
          "manifest/CURRENT",
          TABLE,
          "",
        }) {
      assertThat(Lease.isObjectName(bad)).as(bad).isFalse();
    }
    assertThat(Lease.isObjectName(null)).isFalse();
  }
}
