package io.isledb.db.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.sst.ValueKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MemtableTest {
  private record E(byte[] key, long seq, ValueKind kind, long expires, byte[] value) {}

  @Test
  void sortsByKeyAscendingThenSequenceDescendingAndKeepsEveryVersion() {
    check(0, 4);
  }

  @Test
  void sortsKeysSharingALongPrefixWithShortAndZeroPaddedTails() {
    // The sort compares 8 bytes after the common prefix first; tails shorter than 8 bytes and
    // tails ending in zero bytes must still order as whole keys do.
    check(12, 10);
  }

  @Test
  void radixOrderIsAStableUnsignedSort() {
    long seed = 20261124;
    Random r = new Random(seed);
    for (int round = 0; round < 200; round++) {
      int n = r.nextInt(round < 10 ? 3 : 3000);
      long[] keys = new long[n];
      int shape = round % 4;
      for (int i = 0; i < n; i++) {
        long x = r.nextLong();
        keys[i] =
            switch (shape) {
              case 0 -> x; // every byte varies, half of them negative as signed numbers
              case 1 -> x & 0x00FF_0000_FF00_0000L; // most bytes constant
              case 2 -> r.nextInt(5); // many ties
              default -> 0x3030_3030_3030_3030L | (x & 0x0F0F_0F0F_0F0F_0F0FL); // digits
            };
      }
      Integer[] want = new Integer[n];
      for (int i = 0; i < n; i++) {
        want[i] = i;
      }
      java.util.Arrays.sort(want, (a, b) -> Long.compareUnsigned(keys[a], keys[b])); // stable
      int[] got = Memtable.radixOrder(keys.clone());
      assertThat(got)
          .as("seed %d round %d shape %d", seed, round, shape)
          .containsExactly(java.util.Arrays.stream(want).mapToInt(Integer::intValue).toArray());
    }
  }

  @Test
  void sortsRandomKeysOfEveryByteValue() {
    check(0, 24, 256);
  }

  private void check(int sharedPrefix, int maxTail) {
    check(sharedPrefix, maxTail, 3);
  }

  private void check(int sharedPrefix, int maxTail, int distinctBytes) {
    Random r = new Random(11 + sharedPrefix);
    Memtable m = new Memtable(1);
    List<E> expected = new ArrayList<>();
    for (int seq = 1; seq <= 5_000; seq++) {
      byte[] key = new byte[sharedPrefix + (sharedPrefix == 0 ? 1 : 0) + r.nextInt(maxTail)];
      for (int i = 0; i < key.length; i++) {
        // Few distinct bytes (many versions per key, zero bytes, high bytes) or any byte.
        key[i] =
            i < sharedPrefix
                ? (byte) 7
                : (byte) (distinctBytes == 3 ? r.nextInt(3) * 120 : r.nextInt(distinctBytes));
      }
      ValueKind kind = ValueKind.values()[r.nextInt(3)];
      long expires = kind.hasExpiry() ? 1_000 + r.nextInt(1000) : 0;
      byte[] value = new byte[kind.isTombstone() ? 0 : r.nextInt(50)];
      r.nextBytes(value);
      m.add(key, seq, kind, expires, value, 7);
      key[0]++; // the memtable copied it
      key[0]--;
      expected.add(new E(key.clone(), seq, kind, expires, value.clone()));
    }
    expected.sort(
        Comparator.<E, byte[]>comparing(E::key, Arrays::compareUnsigned)
            .thenComparing(Comparator.comparingLong(E::seq).reversed()));

    Memtable.Sorted s = m.sorted();
    assertThat(s.size()).isEqualTo(expected.size());
    for (int i = 0; i < s.size(); i++) {
      E e = expected.get(i);
      byte[] k = s.keyArray(i);
      byte[] v = s.valueArray(i);
      assertThat(Arrays.copyOfRange(k, s.keyOffset(i), s.keyOffset(i) + s.keyLength(i)))
          .isEqualTo(e.key());
      assertThat(Arrays.copyOfRange(v, s.valueOffset(i), s.valueOffset(i) + s.valueLength(i)))
          .isEqualTo(e.value());
      assertThat(s.seq(i)).isEqualTo(e.seq());
      assertThat(s.kind(i)).isEqualTo(e.kind());
      assertThat(s.expiresAt(i)).isEqualTo(e.expires());
    }
    assertThat(m.minSeq()).isEqualTo(1);
    assertThat(m.maxSeq()).isEqualTo(5_000);
    assertThat(m.entries()).isEqualTo(5_000);
  }

  @Test
  void entriesLargerThanAChunkAndSortedInputAreKept() {
    Memtable m = new Memtable(1);
    byte[] big = new byte[Memtable.CHUNK_SIZE + 10];
    big[big.length - 1] = 42;
    m.add(new byte[] {1}, 1, ValueKind.PUT, 0, new byte[] {9}, 1);
    m.add(new byte[] {2}, 2, ValueKind.PUT, 0, big, 1);
    m.add(new byte[] {3}, 3, ValueKind.PUT, 0, new byte[] {8}, 1);
    Memtable.Sorted s = m.sorted();
    assertThat(s.size()).isEqualTo(3);
    assertThat(s.valueLength(1)).isEqualTo(big.length);
    assertThat(s.valueArray(1)[s.valueOffset(1) + big.length - 1]).isEqualTo((byte) 42);
    assertThat(s.valueArray(2)[s.valueOffset(2)]).isEqualTo((byte) 8);
    assertThat(m.approximateBytes()).isGreaterThan(big.length);
  }
}
