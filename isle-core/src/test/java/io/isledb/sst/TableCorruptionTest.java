package io.isledb.sst;

import static io.isledb.sst.SstTesting.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.isledb.CorruptionException;
import io.isledb.util.Coding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Corruption anywhere in a table is reported as {@link CorruptionException}, never returned as data
 * and never as another exception.
 */
class TableCorruptionTest {

  /** Where the blocks of a table are, from its footer and index. */
  record Layout(
      List<BlockHandle> dataBlocks,
      BlockHandle filter,
      BlockHandle properties,
      BlockHandle index,
      long footerOffset) {

    static Layout of(byte[] file) {
      Footer f =
          Footer.decode(
              file,
              file.length - SstFormat.FOOTER_LENGTH,
              file.length - SstFormat.FOOTER_LENGTH,
              "x");
      List<BlockHandle> data = new ArrayList<>();
      try (TableReader r = open(file)) {
        for (int i = 0; i < r.index().count(); i++) {
          data.add(new BlockHandle(r.index().offset(i), r.index().size(i)));
        }
      }
      return new Layout(
          data, f.filter(), f.properties(), f.index(), file.length - SstFormat.FOOTER_LENGTH);
    }

    String regionOf(long offset) {
      if (offset >= footerOffset) {
        return "footer";
      }
      if (offset >= index.offset()) {
        return "index block";
      }
      if (offset >= properties.offset()) {
        return "properties block";
      }
      if (offset >= filter.offset()) {
        return "filter block";
      }
      for (int i = 0; i < dataBlocks.size(); i++) {
        if (offset < dataBlocks.get(i).end()) {
          return "data block " + i;
        }
      }
      throw new AssertionError("offset " + offset + " is in no region");
    }

    List<BlockHandle> allBlocks() {
      List<BlockHandle> all = new ArrayList<>(dataBlocks);
      all.add(filter);
      all.add(properties);
      all.add(index);
      return all;
    }
  }

  /** Decodes a varint at {@code pos[0]}, advancing it. */
  static int varint(byte[] b, int[] pos) {
    int v = 0;
    for (int shift = 0; ; shift += 7) {
      int x = b[pos[0]++] & 0xFF;
      v |= (x & 0x7F) << shift;
      if (x < 0x80) {
        return v;
      }
    }
  }

  /** Recomputes a block's CRC after its contents or compression byte were changed on purpose. */
  static void reseal(byte[] file, BlockHandle h) {
    CRC32C crc = new CRC32C();
    crc.update(file, (int) h.offset(), (int) h.size() + 1);
    Coding.putFixed32(file, (int) (h.offset() + h.size() + 1), (int) crc.getValue());
  }

  /** Recomputes the footer's CRC. */
  static void resealFooter(byte[] file) {
    int off = file.length - SstFormat.FOOTER_LENGTH;
    CRC32C crc = new CRC32C();
    crc.update(file, off, SstFormat.FOOTER_CRC_OFFSET);
    Coding.putFixed32(file, off + SstFormat.FOOTER_CRC_OFFSET, (int) crc.getValue());
  }

  static TableOptions options(Compression c) {
    return TableOptions.defaults().withCompression(c).withBlockSize(256).withRestartInterval(4);
  }

  /**
   * Flips bits at every offset of the file, one offset at a time. Damage to the filter, properties,
   * index or footer must fail the open; damage to a data block must fail every read of that block
   * (scans and the point lookups that land in it) while lookups elsewhere still return the right
   * data.
   */
  @ParameterizedTest
  @EnumSource(Compression.class)
  void everySingleByteCorruptionIsDetected(Compression compression) {
    long seed = 500 + compression.ordinal();
    Model model = randomModel(seed, 120, 80, 40);
    byte[] file = build(model.entries(), options(compression));
    Layout layout = Layout.of(file);
    long dataEnd = layout.filter().offset();
    // Which data block each entry lives in, and a lookup that must read exactly that block.
    int[] blockOf = new int[model.entries().size()];
    try (TableReader r = open(file)) {
      for (int j = 0; j < blockOf.length; j++) {
        Entry e = model.entries().get(j);
        blockOf[j] = r.index().find(e.userKey(), Keys.seekTrailer(e.seq()));
      }
    }
    Random rnd = new Random(seed);
    for (int i = 0; i < file.length; i++) {
      byte[] bad = file.clone();
      int mask = 1 + rnd.nextInt(255);
      bad[i] ^= (byte) mask;
      String region = layout.regionOf(i);
      String msg =
          "seed "
              + seed
              + ", offset "
              + i
              + " ("
              + region
              + "), xor 0x"
              + Integer.toHexString(mask);
      if (i >= dataEnd) {
        assertThatThrownBy(() -> open(bad))
            .as(msg)
            .isInstanceOf(CorruptionException.class)
            .hasMessageContaining("test.sst");
        continue;
      }
      try (TableReader reader = open(bad)) {
        assertThatThrownBy(() -> readAll(reader.iterator()))
            .as(msg + ": scan")
            .isInstanceOf(CorruptionException.class)
            .hasMessageContaining("test.sst")
            .hasMessageContaining(region);
        int block = Integer.parseInt(region.substring("data block ".length()));
        for (int j = 0; j < blockOf.length; j++) {
          Entry e = model.entries().get(j);
          if (blockOf[j] == block) {
            assertThatThrownBy(() -> reader.get(e.userKey(), e.seq()))
                .as(msg + ": lookup of " + e)
                .isInstanceOf(CorruptionException.class);
          } else if (j % 7 == i % 7) {
            assertThat(reader.get(e.userKey(), e.seq()))
                .as(msg + ": lookup elsewhere")
                .isEqualTo(e);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void truncationAtEveryLengthIsDetected(Compression compression) {
    long seed = 600 + compression.ordinal();
    Model model = randomModel(seed, 100, 60, 20);
    byte[] file = build(model.entries(), options(compression));
    for (int len = 0; len < file.length; len++) {
      byte[] cut = Arrays.copyOf(file, len);
      String msg = "seed " + seed + ", truncated to " + len + " of " + file.length;
      // The file is short and its recorded size says so ...
      assertThatThrownBy(
              () ->
                  TableReader.open(
                      "cut.sst", cut.length, BlockSource.of(cut), BlockCache.none(), 1))
          .as(msg)
          .isInstanceOf(CorruptionException.class)
          .hasMessageContaining("cut.sst");
      // ... or the manifest says the full size but storage returns fewer bytes.
      assertThatThrownBy(
              () ->
                  TableReader.open(
                      "cut.sst", file.length, BlockSource.of(cut), BlockCache.none(), 1))
          .as(msg + " (size from the manifest)")
          .isInstanceOf(CorruptionException.class)
          .hasMessageContaining("truncated");
    }
  }

  @Test
  void truncationOfALargeTableIsDetectedEvenWhenTheTailSurvives() {
    long seed = 610;
    Model model = randomModel(seed, 3000, 200);
    byte[] file = build(model.entries(), TableOptions.defaults());
    assertThat(file.length).isGreaterThan(2 * SstFormat.DEFAULT_TAIL_READ_LENGTH);
    // The data region loses bytes in the middle: handles no longer line up with the footer.
    byte[] spliced = new byte[file.length - 1000];
    System.arraycopy(file, 0, spliced, 0, 5000);
    System.arraycopy(file, 6000, spliced, 5000, file.length - 6000);
    assertThatThrownBy(() -> open(spliced))
        .as("seed " + seed)
        .isInstanceOf(CorruptionException.class);
  }

  @Test
  void appendedBytesAreDetected() {
    byte[] file = build(randomModel(620, 50, 20).entries(), options(Compression.LZ4));
    for (int extra : new int[] {1, 7, 8, 64, 1000}) {
      byte[] longer = Arrays.copyOf(file, file.length + extra);
      assertThatThrownBy(() -> open(longer))
          .as("seed 620, " + extra + " bytes appended")
          .isInstanceOf(CorruptionException.class)
          .hasMessageContaining("bad magic");
    }
  }

  @Test
  void tooSmallFile() {
    assertThatThrownBy(() -> open(new byte[10]))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("too small");
  }

  // ---- Damage behind a valid checksum: the structural checks must still catch it. ----

  private static byte[] smallTable(Compression c) {
    return build(randomModel(700, 60, 40, 10).entries(), options(c));
  }

  @Test
  void unknownFormatVersion() {
    byte[] file = smallTable(Compression.NONE);
    Coding.putFixed32(
        file, file.length - SstFormat.FOOTER_LENGTH + SstFormat.FOOTER_VERSION_OFFSET, 2);
    resealFooter(file);
    assertThatThrownBy(() -> open(file))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("unsupported format version 2");
  }

  @Test
  void wrongMagic() {
    byte[] file = smallTable(Compression.NONE);
    file[file.length - 1] ^= 1;
    assertThatThrownBy(() -> open(file))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("bad magic");
  }

  @Test
  void footerHandlesThatDoNotTileTheFile() {
    byte[] file = smallTable(Compression.NONE);
    int off = file.length - SstFormat.FOOTER_LENGTH;
    Coding.putFixed64(file, off + 8, Coding.getFixed64(file, off + 8) + 1); // filter size
    resealFooter(file);
    assertThatThrownBy(() -> open(file))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("do not tile");
    Coding.putFixed64(file, off + 40, 1L << 40); // index size
    resealFooter(file);
    assertThatThrownBy(() -> open(file))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("out of range");
  }

  @Test
  void unknownCompressionId() {
    byte[] file = smallTable(Compression.NONE);
    BlockHandle h = Layout.of(file).dataBlocks().get(2);
    file[(int) (h.offset() + h.size())] = 9;
    reseal(file, h);
    try (TableReader r = open(file)) {
      assertThatThrownBy(() -> readAll(r.iterator()))
          .isInstanceOf(CorruptionException.class)
          .hasMessageContaining("data block 2")
          .hasMessageContaining("unknown compression id 9");
      // The iterator that hit the corruption is left invalid.
      TableIterator it = r.iterator();
      it.seekToFirst();
      assertThatThrownBy(
              () -> {
                while (true) {
                  it.next();
                }
              })
          .isInstanceOf(CorruptionException.class);
      assertThat(it.valid()).isFalse();
    }
  }

  @Test
  void unknownValueKind() {
    byte[] file = smallTable(Compression.NONE);
    BlockHandle h = Layout.of(file).dataBlocks().get(0);
    // First entry of the block: shared=0, then varint unshared, varint value length, key bytes.
    int p = (int) h.offset();
    int unshared = file[p + 1];
    assertThat(file[p]).isZero();
    assertThat(unshared).isBetween(8, 127);
    int kindByte = p + 3 + unshared - SstFormat.KEY_TRAILER_LENGTH;
    file[kindByte] = (byte) 200;
    reseal(file, h);
    try (TableReader r = open(file)) {
      assertThatThrownBy(() -> readAll(r.iterator()))
          .isInstanceOf(CorruptionException.class)
          .hasMessageContaining("data block 0")
          .hasMessageContaining("unknown value kind id 200");
    }
  }

  @Test
  void restartArrayOutOfRange() {
    byte[] file = smallTable(Compression.NONE);
    BlockHandle h = Layout.of(file).dataBlocks().get(1);
    int countAt = (int) (h.offset() + h.size() - 4);
    Coding.putFixed32(file, countAt, 100_000);
    reseal(file, h);
    try (TableReader r = open(file)) {
      assertThatThrownBy(() -> readAll(r.iterator()))
          .isInstanceOf(CorruptionException.class)
          .hasMessageContaining("restart count 100000");
    }
    Coding.putFixed32(file, countAt, 1);
    Coding.putFixed32(file, countAt - 4, 5); // the only restart point must be 0
    reseal(file, h);
    try (TableReader r = open(file)) {
      assertThatThrownBy(() -> readAll(r.iterator()))
          .isInstanceOf(CorruptionException.class)
          .hasMessageContaining("restart point 0");
    }
  }

  @Test
  void badIndexHandle() {
    byte[] file = smallTable(Compression.NONE);
    Layout layout = Layout.of(file);
    BlockHandle ih = layout.index();
    // The index is uncompressed only if compression was off; the table was built with NONE.
    // First index entry: varint shared (0), varint unshared, varint value length, key, then the
    // handle: varint offset (0 for the first block) and varint size.
    int[] pos = {(int) ih.offset()};
    assertThat(varint(file, pos)).as("shared").isZero();
    int unshared = varint(file, pos);
    varint(file, pos);
    int valueAt = pos[0] + unshared;
    assertThat(file[valueAt]).as("first block offset").isZero();
    file[valueAt] = 1;
    reseal(file, ih);
    assertThatThrownBy(() -> open(file))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("index block")
        .hasMessageContaining("should start at 0");
  }

  @Test
  void garbageCompressedPayloadBehindAValidChecksum() {
    for (Compression c : new Compression[] {Compression.LZ4, Compression.ZSTD}) {
      List<Entry> entries = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        String value = ("value number " + i + " of a compressible table; ").repeat(5);
        entries.add(entry(String.format("key-%05d", i), i + 1, ValueKind.PUT, value));
      }
      byte[] file = build(entries, TableOptions.defaults().withCompression(c).withBlockSize(4096));
      Layout layout = Layout.of(file);
      BlockHandle compressed = null;
      for (BlockHandle h : layout.dataBlocks()) {
        if (file[(int) (h.offset() + h.size())] == c.id()) {
          compressed = h;
          break;
        }
      }
      assertThat(compressed).as(c + ": some block is compressed").isNotNull();
      BlockHandle h = compressed;
      Random r = new Random(711);
      for (int i = 4; i < h.size(); i++) {
        file[(int) h.offset() + i] = (byte) r.nextInt();
      }
      reseal(file, h);
      try (TableReader reader = open(file)) {
        assertThatThrownBy(() -> readAll(reader.iterator()))
            .as(c.toString())
            .isInstanceOf(CorruptionException.class)
            .hasMessageContaining(c.toString());
      }
      // An absurd uncompressed length is refused before anything is allocated.
      file[(int) h.offset()] = (byte) 0xFF;
      file[(int) h.offset() + 1] = (byte) 0xFF;
      file[(int) h.offset() + 2] = (byte) 0xFF;
      file[(int) h.offset() + 3] = (byte) 0xFF;
      file[(int) h.offset() + 4] = (byte) 0x0F;
      reseal(file, h);
      try (TableReader reader = open(file)) {
        assertThatThrownBy(() -> readAll(reader.iterator()))
            .as(c.toString())
            .isInstanceOf(CorruptionException.class)
            .hasMessageContaining("uncompressed length");
      }
    }
  }

  @Test
  void invalidFilterProbeCount() {
    byte[] file = smallTable(Compression.NONE);
    BlockHandle fh = Layout.of(file).filter();
    file[(int) (fh.offset() + fh.size() - 1)] = 99;
    reseal(file, fh);
    assertThatThrownBy(() -> open(file))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("filter block")
        .hasMessageContaining("99 probes");
  }

  /**
   * Random damage to each block and the footer, with checksums recomputed so the damage gets past
   * them: only {@link CorruptionException} may escape, never another exception, a hang or an
   * out-of-memory.
   */
  @ParameterizedTest
  @EnumSource(Compression.class)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void structuralDamageBehindValidChecksumsOnlyEverThrowsCorruption(Compression compression) {
    long seed = 800 + compression.ordinal();
    Model model = randomModel(seed, 100, 60, 30);
    byte[] file = build(model.entries(), options(compression));
    Layout layout = Layout.of(file);
    Random r = new Random(seed);
    List<BlockHandle> targets = new ArrayList<>(layout.allBlocks());
    targets.add(null); // the footer
    int corruptions = 0;
    int outcomes = 0;
    for (BlockHandle h : targets) {
      for (int round = 0; round < 150; round++) {
        byte[] bad = file.clone();
        int start = h == null ? file.length - SstFormat.FOOTER_LENGTH : (int) h.offset();
        int length = h == null ? SstFormat.FOOTER_CRC_OFFSET : (int) h.size();
        if (length == 0) {
          continue;
        }
        int changes = 1 + r.nextInt(3);
        StringBuilder what = new StringBuilder();
        for (int c = 0; c < changes; c++) {
          int at = start + r.nextInt(length);
          int v = r.nextInt(4) == 0 ? 0xFF : r.nextInt(256);
          bad[at] = (byte) v;
          what.append(at).append('=').append(v).append(' ');
        }
        if (h == null) {
          resealFooter(bad);
        } else {
          reseal(bad, h);
        }
        String msg = "seed " + seed + ", " + layout.regionOf(start) + ", bytes " + what;
        try (TableReader reader = open(bad)) {
          readAll(reader.iterator());
          readAll(reader.iterator(ScanOptions.sequential(1000)));
          for (Entry e : model.entries()) {
            reader.get(e.userKey(), e.seq());
            TableIterator it = reader.iterator();
            it.seek(e.userKey());
          }
          outcomes++;
        } catch (CorruptionException expected) {
          assertThat(expected).as(msg).hasMessageContaining("test.sst");
          corruptions++;
        } catch (Throwable t) {
          fail(msg + ": threw " + t, t);
        }
      }
    }
    // Damage to values is undetectable once the checksum is forged; damage to structure is not.
    assertThat(corruptions).as("seed " + seed + ": structural checks fired").isPositive();
    assertThat(outcomes).as("seed " + seed + ": some damage was harmless").isPositive();
  }
}
