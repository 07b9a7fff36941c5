package io.isledb.db;

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

  private void check(int sharedPrefix, int maxTail) {
    Random r = new Random(11 + sharedPrefix);
    Memtable m = new Memtable(1);
    List<E> expected = new ArrayList<>();
    for (int seq = 1; seq <= 5_000; seq++) {
      byte[] key = new byte[sharedPrefix + (sharedPrefix == 0 ? 1 : 0) + r.nextInt(maxTail)];
      for (int i = 0; i < key.length; i++) {
        // Few distinct bytes: many versions per key, zero bytes, high bytes.
        key[i] = i < sharedPrefix ? (byte) 7 : (byte) (r.nextInt(3) * 120);
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
