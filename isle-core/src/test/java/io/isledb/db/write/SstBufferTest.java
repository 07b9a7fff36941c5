package io.isledb.db.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.sst.ValueKind;
import io.isledb.testing.Seeds;
import io.isledb.util.Bytes;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link SstBuffer}: the key order of its prefix-first sort, last-write-wins per key across sorts
 * and compactions, and its byte count (overwritten rows count until a sort drops them).
 */
class SstBufferTest {
  private static final ValueKind[] KINDS = {
    ValueKind.PUT, ValueKind.PUT_EXPIRING, ValueKind.DELETE, ValueKind.BLOB, ValueKind.BLOB_EXPIRING
  };

  private record Row(String key, ValueKind kind, long expiresAt, String value) {}

  @Test
  void emitsTheLastRowOfEachKeyInKeyOrderThroughSortsAndCompactions() {
    long seed = Seeds.seed(1605);
    Random rnd = new Random(seed);
    SstBuffer buffer = new SstBuffer();
    TreeMap<byte[], Row> model = new TreeMap<>(Bytes.COMPARATOR);
    for (int i = 0; i < 20_000; i++) {
      // 0 to 11 bytes from a 3-letter alphabet with zero bytes: many shared 8-byte prefixes,
      // keys that are prefixes of others, and keys shorter than the prefix.
      byte[] key = new byte[rnd.nextInt(12)];
      for (int j = 0; j < key.length; j++) {
        key[j] = (byte) new int[] {0, 1, 0xFF}[rnd.nextInt(3)];
      }
      ValueKind kind = KINDS[rnd.nextInt(KINDS.length)];
      byte[] value = kind == ValueKind.DELETE ? new byte[0] : ("v" + i).getBytes();
      long expiresAt = kind.hasExpiry() ? 1000 + i : 0;
      buffer.add(key, kind, expiresAt, value);
      model.put(key, new Row(hex(key), kind, expiresAt, hex(value)));
      if (rnd.nextInt(3000) == 0) {
        buffer.compact();
      } else if (rnd.nextInt(3000) == 0) {
        buffer.sort();
      }
    }
    List<Row> out = new ArrayList<>();
    buffer.forEachLive((k, kind, e, v) -> out.add(new Row(hex(k), kind, e, hex(v))));
    assertThat(out).as("seed %d", seed).containsExactlyElementsOf(model.values());
  }

  @Test
  void countsOverwrittenRowsUntilASortDropsThem() {
    SstBuffer buffer = new SstBuffer();
    int row = SstBuffer.ROW_OVERHEAD;
    for (int i = 0; i < 100; i++) {
      buffer.add(new byte[] {1, 2, 3}, ValueKind.PUT, 0, new byte[10]); // one key, 100 times
    }
    buffer.add(new byte[] {0}, ValueKind.DELETE, 0, new byte[0]);
    assertThat(buffer.bytes()).isEqualTo(100L * (3 + 10 + row) + 1 + row);
    buffer.sort();
    assertThat(buffer.bytes()).isEqualTo(3 + 10 + row + 1 + row);
    buffer.compact();
    buffer.add(new byte[] {1, 2, 3}, ValueKind.PUT, 0, new byte[20]);
    assertThat(buffer.bytes()).isEqualTo(2L * (3 + row) + 10 + 20 + 1 + row);
    List<String> values = new ArrayList<>();
    buffer.forEachLive((k, kind, e, v) -> values.add(hex(k) + "=" + v.length));
    assertThat(values).containsExactly("00=0", "010203=20");
    assertThat(buffer.bytes()).isEqualTo(3 + 20 + row + 1 + row);
    buffer.clear();
    assertThat(buffer.isEmpty()).isTrue();
    assertThat(buffer.bytes()).isZero();
  }

  @Test
  void prefixOrderAgreesWithKeyOrder() {
    byte[][] keys = {
      {},
      {0},
      {0, 0},
      {0, 0, 0, 0, 0, 0, 0, 0},
      {0, 0, 0, 0, 0, 0, 0, 0, 0},
      {1},
      {(byte) 0x80},
      {(byte) 0xFF, 0, 0, 0, 0, 0, 0, 0, 1},
      {(byte) 0xFF, 0, 0, 0, 0, 0, 0, 1}
    };
    for (byte[] a : keys) {
      for (byte[] b : keys) {
        int byPrefix = Long.compareUnsigned(SstBuffer.prefix(a), SstBuffer.prefix(b));
        if (byPrefix != 0) {
          assertThat(Integer.signum(byPrefix))
              .as("%s vs %s", hex(a), hex(b))
              .isEqualTo(Integer.signum(Bytes.compare(a, b)));
        }
      }
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
