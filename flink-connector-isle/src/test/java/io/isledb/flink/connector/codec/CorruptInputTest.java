package io.isledb.flink.connector.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.IsleException;
import java.util.Map;
import java.util.Random;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;

/**
 * Stored bytes are untrusted: damaged values and keys either decode or fail with an IsleException
 * (CORRUPTION; CONFLICT for an unknown schema id), never with another exception or an allocation
 * sized by garbage.
 */
class CorruptInputTest {
  private static final long SEED = Long.getLong("codec.seed", 20261130L);

  @Test
  void damagedValuesFailAsIsleExceptions() {
    System.out.println("CorruptInputTest seed " + SEED);
    Random rnd = new Random(SEED);
    RowType row = AllTypes.rowType();
    ValueEncoder enc = ValueEncoder.forFullRow(row, 0);
    ValueDecoder dec = new ValueDecoder(Map.of(0, row), row.getFieldCount());
    int failures = 0;
    for (int n = 0; n < 3000; n++) {
      byte[] v = enc.encodeValue(AllTypes.randomRow(row, rnd));
      byte[] bad = damage(v, rnd);
      try {
        dec.decodeValue(bad);
      } catch (IsleException e) {
        failures++;
      } catch (RuntimeException | OutOfMemoryError e) {
        throw new AssertionError("seed " + SEED + " value " + n + ": " + KeyBytes.hex(bad), e);
      }
    }
    assertThat(failures).isPositive();
  }

  @Test
  void damagedKeysFailAsIsleExceptions() {
    Random rnd = new Random(SEED);
    KeyValueGen gen = new KeyValueGen(rnd);
    for (org.apache.flink.table.types.logical.LogicalType t : KeyEncoderPropertyTest.keyTypes()) {
      KeyEncoder enc =
          new KeyEncoder(
              RowType.of(
                  new org.apache.flink.table.types.logical.LogicalType[] {t}, new String[] {"k"}),
              new int[] {0});
      for (int n = 0; n < 200; n++) {
        byte[] bad = damage(enc.encodeKeyRow(GenericRowData.of(gen.next(t))), rnd);
        try {
          enc.decodeKey(bad);
        } catch (IsleException e) {
          // expected for most damage
        } catch (RuntimeException e) {
          throw new AssertionError("seed " + SEED + " " + t + " key " + KeyBytes.hex(bad), e);
        }
      }
    }
  }

  private static byte[] damage(byte[] v, Random rnd) {
    byte[] out = v.clone();
    switch (rnd.nextInt(3)) {
      case 0:
        return java.util.Arrays.copyOf(out, rnd.nextInt(out.length + 1));
      case 1:
        out[rnd.nextInt(out.length)] = (byte) rnd.nextInt();
        return out;
      default:
        for (int i = 0; i < 3; i++) {
          out[rnd.nextInt(out.length)] ^= (byte) (1 << rnd.nextInt(8));
        }
        return out;
    }
  }
}
