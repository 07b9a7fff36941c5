package io.isledb.sst;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.isledb.CorruptionException;
import io.isledb.util.Coding;
import io.isledb.util.GrowableBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Blocks: prefix compression, restart points, seeks, and the checks on malformed contents. */
class BlockTest {

  static byte[] internalKey(String user, long seq, ValueKind kind) {
    byte[] u = user.getBytes();
    byte[] k = Arrays.copyOf(u, u.length + 8);
    Coding.putFixed64(k, u.length, Keys.trailer(seq, kind));
    return k;
  }

  static Block block(List<byte[]> keys, List<byte[]> values, int restartInterval) {
    BlockBuilder b = new BlockBuilder(restartInterval, 64);
    for (int i = 0; i < keys.size(); i++) {
      byte[] v = values.get(i);
      b.add(keys.get(i), keys.get(i).length, false, 0, v, 0, v.length);
    }
    b.finish();
    return new Block(Arrays.copyOf(b.array(), b.size()), b.size(), "t", 0, "test block");
  }

  static Block rawBlock(byte[] contents) {
    return new Block(contents, contents.length, "t", 0, "test block");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 16, 1000})
  void entriesRoundTripAndSeek(int restartInterval) {
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    String[] users = {"", "a", "ab", "abc", "abd", "b", "ba", "c\u00ff", "d"};
    for (String u : users) {
      for (long seq = 3; seq >= 1; seq--) {
        keys.add(internalKey(u, seq, ValueKind.PUT));
        values.add((u + "@" + seq).getBytes());
      }
    }
    Block block = block(keys, values, restartInterval);
    assertThat(block.numRestarts).isEqualTo((keys.size() + restartInterval - 1) / restartInterval);
    BlockIterator it = new BlockIterator(false);
    it.reset(block);
    int i = 0;
    for (it.seekToFirst(); it.valid(); it.next(), i++) {
      assertThat(Arrays.copyOf(it.key(), it.keyLength())).isEqualTo(keys.get(i));
      assertThat(
              Arrays.copyOfRange(it.data(), it.valueOffset(), it.valueOffset() + it.valueLength()))
          .isEqualTo(values.get(i));
    }
    assertThat(i).isEqualTo(keys.size());
    // Every key, and positions between keys and versions.
    for (int j = 0; j < keys.size(); j++) {
      byte[] k = keys.get(j);
      byte[] user = Arrays.copyOf(k, k.length - 8);
      long seq = Coding.getFixed64(k, k.length - 8) >>> 8;
      it.seek(user, Keys.seekTrailer(seq));
      assertThat(Arrays.copyOf(it.key(), it.keyLength())).as("seek to entry " + j).isEqualTo(k);
      it.seek(user, Keys.seekTrailer(99));
      assertThat(Arrays.copyOf(it.key(), it.keyLength()))
          .as("newest of entry " + j)
          .isEqualTo(keys.get(j - j % 3));
      it.seek(user, Keys.seekTrailer(0));
      if (j + 3 - j % 3 < keys.size()) {
        assertThat(Arrays.copyOf(it.key(), it.keyLength()))
            .as("below every version of entry " + j)
            .isEqualTo(keys.get(j + 3 - j % 3));
      } else {
        assertThat(it.valid()).isFalse();
      }
    }
    it.seek("e".getBytes(), SstFormat.MAX_TRAILER);
    assertThat(it.valid()).isFalse();
  }

  @Test
  void prefixCompressionSharesBytesBetweenRestarts() {
    List<byte[]> keys =
        List.of(
            internalKey("prefix-000", 1, ValueKind.PUT),
            internalKey("prefix-001", 1, ValueKind.PUT));
    Block b = block(keys, List.of(new byte[0], new byte[0]), 16);
    // Entry 1: shared 0, unshared 18, value 0, 18 key bytes. Entry 2: shared 9, unshared 9.
    assertThat(b.data[0]).isEqualTo((byte) 0);
    assertThat(b.data[1]).isEqualTo((byte) 18);
    assertThat(b.data[21]).isEqualTo((byte) 9);
    assertThat(b.data[22]).isEqualTo((byte) 9);
    assertThat(b.length).isEqualTo(21 + 3 + 9 + 4 + 4);
  }

  @Test
  void emptyBlock() {
    Block b = block(List.of(), List.of(), 16);
    assertThat(b.length).isEqualTo(8);
    BlockIterator it = new BlockIterator(true);
    it.reset(b);
    it.seekToFirst();
    assertThat(it.valid()).isFalse();
    it.seek(new byte[0], SstFormat.MAX_TRAILER);
    assertThat(it.valid()).isFalse();
  }

  @Test
  void malformedRestartArrays() {
    assertThatThrownBy(() -> rawBlock(new byte[3]))
        .isInstanceOf(CorruptionException.class)
        .hasMessage("sst t: test block at offset 0: is 3 bytes, too short for a restart count");
    assertThatThrownBy(() -> rawBlock(new byte[4])).hasMessageContaining("restart count 0");
    byte[] b = new byte[12];
    Coding.putFixed32(b, 8, 3);
    assertThatThrownBy(() -> rawBlock(b)).hasMessageContaining("restart count 3 does not fit");
    Coding.putFixed32(b, 8, -1);
    assertThatThrownBy(() -> rawBlock(b)).hasMessageContaining("restart count 4294967295");
    Coding.putFixed32(b, 8, 2);
    Coding.putFixed32(b, 0, 0);
    Coding.putFixed32(b, 4, 0);
    assertThatThrownBy(() -> rawBlock(b)).hasMessageContaining("restart point 0");
    byte[] c = new byte[20];
    Coding.putFixed32(c, 16, 2);
    Coding.putFixed32(c, 8, 0);
    Coding.putFixed32(c, 12, 8); // points at the restart array itself
    assertThatThrownBy(() -> rawBlock(c)).hasMessageContaining("restart point 1 is 8");
  }

  /** A block whose only entry is {@code entry}, with a valid restart array. */
  static Block oneEntry(byte... entry) {
    GrowableBuffer g = new GrowableBuffer(32);
    g.write(entry);
    g.writeFixed32(0);
    g.writeFixed32(1);
    return rawBlock(g.toByteArray());
  }

  private static void assertEntryCorrupt(Block b, String message) {
    BlockIterator it = new BlockIterator(true);
    it.reset(b);
    assertThatThrownBy(it::seekToFirst)
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("test block")
        .hasMessageContaining(message);
  }

  @Test
  void malformedEntries() {
    byte[] key = internalKey("k", 1, ValueKind.PUT);
    assertEntryCorrupt(oneEntry((byte) 0x80), "varint runs past the end");
    assertEntryCorrupt(
        oneEntry((byte) 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x7F),
        "varint exceeds 31 bits");
    assertEntryCorrupt(
        oneEntry(
            (byte) 0, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 1),
        "longer than 5 bytes");
    assertEntryCorrupt(oneEntry((byte) 3, (byte) 9, (byte) 0), "shares 3 bytes");
    assertEntryCorrupt(oneEntry((byte) 0, (byte) 100, (byte) 0), "overrun");
    assertEntryCorrupt(oneEntry((byte) 0, (byte) 2, (byte) 0, (byte) 1, (byte) 2), "no trailer");
    byte[] badKind = key.clone();
    badKind[badKind.length - 8] = 77;
    assertEntryCorrupt(entryOf(badKind, new byte[0]), "unknown value kind id 77");
    assertEntryCorrupt(
        entryOf(internalKey("k", 1, ValueKind.PUT_EXPIRING), new byte[7]),
        "too short for an expiry");
    assertEntryCorrupt(
        entryOf(internalKey("k", 1, ValueKind.DELETE), new byte[1]),
        "tombstone has a 1-byte value");
  }

  static Block entryOf(byte[] key, byte[] value) {
    byte[] e = new byte[3 + key.length + value.length];
    e[0] = 0;
    e[1] = (byte) key.length;
    e[2] = (byte) value.length;
    System.arraycopy(key, 0, e, 3, key.length);
    System.arraycopy(value, 0, e, 3 + key.length, value.length);
    return oneEntry(e);
  }

  @Test
  void seekRejectsARestartEntryThatSharesBytes() {
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      keys.add(internalKey("key" + i, 1, ValueKind.PUT));
    }
    Block good = block(keys, List.of(new byte[0], new byte[0], new byte[0], new byte[0]), 2);
    byte[] bad = Arrays.copyOf(good.data, good.length);
    bad[good.restartPoint(1)] = 1; // the second restart entry claims a shared prefix
    BlockIterator it = new BlockIterator(true);
    it.reset(rawBlock(bad));
    assertThatThrownBy(() -> it.seek("key9".getBytes(), SstFormat.MAX_TRAILER))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("restart entry shares 1 key bytes");
  }

  /** Random contents, and random damage to valid blocks: only CorruptionException may escape. */
  @Test
  void fuzzedBlocksOnlyEverThrowCorruption() {
    long seed = 1234;
    Random r = new Random(seed);
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      keys.add(internalKey(String.format("key-%04d", i * 7), 100 - i, ValueKind.values()[i % 2]));
      values.add(i % 2 == 0 ? new byte[0] : new byte[i]);
    }
    byte[] valid = Arrays.copyOf(block(keys, values, 4).data, block(keys, values, 4).length);
    int corrupt = 0;
    for (int round = 0; round < 20_000; round++) {
      byte[] data;
      if (round % 4 == 0) {
        data = new byte[r.nextInt(64)];
        r.nextBytes(data);
      } else {
        data = valid.clone();
        for (int n = 1 + r.nextInt(3); n > 0; n--) {
          data[r.nextInt(data.length)] = (byte) r.nextInt();
        }
      }
      try {
        Block b = rawBlock(data);
        BlockIterator it = new BlockIterator(true);
        it.reset(b);
        for (it.seekToFirst(); it.valid(); it.next()) {
          it.kind();
        }
        it.seek("key-0100".getBytes(), SstFormat.MAX_TRAILER);
        it.seek(new byte[0], 0);
      } catch (CorruptionException expected) {
        corrupt++;
      } catch (Throwable t) {
        fail("seed " + seed + ", round " + round + ": " + Arrays.toString(data), t);
      }
    }
    assertThat(corrupt).as("seed " + seed).isGreaterThan(5_000);
  }
}
