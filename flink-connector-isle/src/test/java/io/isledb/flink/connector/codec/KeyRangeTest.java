package io.isledb.flink.connector.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.FloatType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.MultisetType;
import org.apache.flink.table.types.logical.RawType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarBinaryType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

/**
 * Key ranges for lookups on a key prefix and for range predicates on the first non-equal key
 * column: a key lies in the range exactly when its row satisfies the predicate (checked over seeded
 * random keys with ties, strings with NUL and 0xFF-heavy binaries); and unsupported or nullable key
 * columns are refused naming the column and type.
 */
class KeyRangeTest {
  private static final long SEED = Long.getLong("codec.seed", 20261130L);

  private static final RowType ROW =
      RowType.of(
          new LogicalType[] {
            new VarCharType(false, 10), new VarBinaryType(false, 10), new IntType(false)
          },
          new String[] {"s", "b", "i"});

  private record Key(String s, byte[] b, int i) {
    Object[] values() {
      return new Object[] {StringData.fromString(s), b, i};
    }
  }

  private static int cmp(Object a, Object b) {
    if (a instanceof byte[]) {
      return java.util.Arrays.compareUnsigned((byte[]) a, (byte[]) b);
    }
    if (a instanceof StringData) {
      return StringData.fromBytes(((StringData) a).toBytes())
          .compareTo(StringData.fromBytes(((StringData) b).toBytes()));
    }
    return Integer.compare((Integer) a, (Integer) b);
  }

  @Test
  void rangesContainExactlyTheKeysThatSatisfyThePredicate() {
    System.out.println("KeyRangeTest seed " + SEED);
    Random rnd = new Random(SEED);
    KeyEncoder enc = new KeyEncoder(ROW, new int[] {0, 1, 2});
    String[] strings = {"", "\u0000", "a", "a\u0000", "a\u0000b", "ab", "b", "\u00ff"};
    byte[][] binaries = {
      {}, {0}, {0, 0}, {(byte) 0xFF}, {(byte) 0xFF, (byte) 0xFF}, {1}, {0, (byte) 0xFF}
    };
    int[] ints = {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE};
    List<Key> keys = new ArrayList<>();
    for (int n = 0; n < 400; n++) {
      keys.add(
          new Key(
              strings[rnd.nextInt(strings.length)],
              binaries[rnd.nextInt(binaries.length)],
              ints[rnd.nextInt(ints.length)]));
    }
    for (int round = 0; round < 500; round++) {
      Key probe = keys.get(rnd.nextInt(keys.size()));
      Key other = keys.get(rnd.nextInt(keys.size()));
      int equal = rnd.nextInt(4); // columns fixed by equality; 3 = full key
      Object[] pv = probe.values();
      Object[] prefix = java.util.Arrays.copyOf(pv, equal);
      KeyEncoder.Bound lower = null;
      KeyEncoder.Bound upper = null;
      if (equal < 3) {
        Object a = pv[equal];
        Object b = other.values()[equal];
        if (cmp(a, b) > 0) {
          Object t = a;
          a = b;
          b = t;
        }
        if (rnd.nextInt(3) > 0) {
          lower = new KeyEncoder.Bound(a, rnd.nextBoolean());
        }
        if (rnd.nextInt(3) > 0) {
          upper = new KeyEncoder.Bound(b, rnd.nextBoolean());
        }
      }
      KeyRange range =
          lower == null && upper == null
              ? enc.prefixRange(prefix)
              : enc.range(prefix, lower, upper);
      for (Key k : keys) {
        Object[] kv = k.values();
        boolean want = true;
        for (int c = 0; c < equal; c++) {
          want &= cmp(kv[c], prefix[c]) == 0;
        }
        if (lower != null) {
          int c = cmp(kv[equal], lower.value());
          want &= lower.inclusive() ? c >= 0 : c > 0;
        }
        if (upper != null) {
          int c = cmp(kv[equal], upper.value());
          want &= upper.inclusive() ? c <= 0 : c < 0;
        }
        boolean got = range.contains(enc.encodeKeyRow(GenericRowData.of(kv)));
        assertThat(got)
            .as(
                "seed %d: key %s in %s (prefix %d, lower %s, upper %s)",
                SEED, k, range, equal, lower, upper)
            .isEqualTo(want);
      }
    }
  }

  private static boolean startsWith(byte[] value, byte[] prefix) {
    return value.length >= prefix.length
        && java.util.Arrays.equals(value, 0, prefix.length, prefix, 0, prefix.length);
  }

  @Test
  void startsWithRangesContainExactlyTheKeysWithThatPrefix() {
    Random rnd = new Random(SEED + 7);
    KeyEncoder enc = new KeyEncoder(ROW, new int[] {0, 1, 2});
    String[] strings = {"", "\u0000", "a", "a\u0000", "a\u0000b", "ab", "abc", "b", "\u00ff"};
    byte[][] binaries = {{}, {0}, {0, 0}, {(byte) 0xFF}, {(byte) 0xFF, 0}, {1}, {0, (byte) 0xFF}};
    List<Key> keys = new ArrayList<>();
    for (String s : strings) {
      for (byte[] b : binaries) {
        keys.add(new Key(s, b, rnd.nextInt(3)));
      }
    }
    for (String p : strings) {
      KeyRange r = enc.startsWithRange(new Object[0], StringData.fromString(p));
      for (Key k : keys) {
        assertThat(r.contains(enc.encodeKeyRow(GenericRowData.of(k.values()))))
            .as("'%s' LIKE '%s%%'", k.s(), p)
            .isEqualTo(k.s().startsWith(p));
      }
      for (byte[] bp : binaries) {
        KeyRange rb = enc.startsWithRange(new Object[] {StringData.fromString(p)}, bp);
        for (Key k : keys) {
          assertThat(rb.contains(enc.encodeKeyRow(GenericRowData.of(k.values()))))
              .isEqualTo(k.s().equals(p) && startsWith(k.b(), bp));
        }
      }
    }
    assertThatThrownBy(
            () -> enc.startsWithRange(new Object[] {StringData.fromString("a"), new byte[0]}, "x"))
        .hasMessageContaining("string or binary key column");
  }

  @Test
  void prefixSuccessorIsTheSmallestStringAboveThePrefix() {
    assertThat(KeyBytes.prefixSuccessor(new byte[] {1, 2})).containsExactly(1, 3);
    assertThat(KeyBytes.prefixSuccessor(new byte[] {1, (byte) 0xFF, (byte) 0xFF}))
        .containsExactly(2);
    assertThat(KeyBytes.prefixSuccessor(new byte[] {(byte) 0xFF})).isNull();
    assertThat(KeyBytes.prefixSuccessor(new byte[0])).isNull();
    assertThat(KeyRange.withPrefix(new byte[0])).isEqualTo(KeyRange.all());
  }

  @Test
  void aRangeOnTheFirstColumnWithoutPrefixIsOpenWhereUnbounded() {
    KeyEncoder enc =
        new KeyEncoder(
            RowType.of(new LogicalType[] {new BigIntType(false)}, new String[] {"id"}),
            new int[] {0});
    KeyRange atLeast = enc.range(new Object[0], new KeyEncoder.Bound(5L, true), null);
    assertThat(atLeast.toExclusive()).isNull();
    assertThat(atLeast.fromInclusive()).isEqualTo(enc.encodePrefix(5L));
    KeyRange below = enc.range(new Object[0], null, new KeyEncoder.Bound(5L, false));
    assertThat(below.fromInclusive()).isNull();
    assertThat(below.toExclusive()).isEqualTo(enc.encodePrefix(5L));
    KeyRange aboveMax = enc.range(new Object[0], new KeyEncoder.Bound(Long.MAX_VALUE, false), null);
    assertThat(aboveMax.isEmpty()).isTrue();
  }

  @Test
  void unsupportedAndNullableKeyColumnsAreRefusedNamingColumnAndType() {
    LogicalType[] bad = {
      new MapType(false, new IntType(), new IntType()),
      new ArrayType(false, new IntType()),
      RowType.of(false, new LogicalType[] {new IntType()}, new String[] {"x"}),
      new MultisetType(false, new IntType()),
      new FloatType(false),
      new DoubleType(false),
      new RawType<>(
          false, String.class, org.apache.flink.api.common.typeutils.base.StringSerializer.INSTANCE)
    };
    for (LogicalType t : bad) {
      RowType row = RowType.of(new LogicalType[] {t}, new String[] {"weird_col"});
      assertThatThrownBy(() -> new KeyEncoder(row, new int[] {0}))
          .isInstanceOf(ValidationException.class)
          .hasMessageContaining("'weird_col'")
          .hasMessageContaining(t.asSummaryString())
          .hasMessageContaining("cannot be part of a key");
    }
    RowType nullable = RowType.of(new LogicalType[] {new IntType(true)}, new String[] {"id"});
    assertThatThrownBy(() -> new KeyEncoder(nullable, new int[] {0}))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("'id'")
        .hasMessageContaining("nullable");
  }
}
