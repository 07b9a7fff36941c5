package io.isledb.sst;

import static io.isledb.sst.SstTesting.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.util.Coding;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Format stability: the checked-in golden SSTs (see {@link GoldenTables}) must keep reading with
 * exactly their known contents and properties, and writing the same input again must give the same
 * file.
 *
 * <p>Byte-for-byte regeneration is asserted for the uncompressed file. Compressed bytes are the
 * codec library's business (lz4-java, for one, emits different but equally valid LZ4 depending on
 * whether its JNI or Java implementation is loaded), so for LZ4 and zstd the regenerated file must
 * have the same decoded blocks: identical data, filter and properties contents and identical index
 * keys.
 */
class GoldenSstTest {

  static byte[] golden(Compression c) throws IOException {
    try (InputStream in =
        GoldenSstTest.class.getClassLoader().getResourceAsStream(GoldenTables.resource(c))) {
      assertThat(in).as(GoldenTables.resource(c)).isNotNull();
      return in.readAllBytes();
    }
  }

  /** The properties of each golden file, written out literally. */
  static TableProperties expectedProperties(Compression c) {
    long fileSize;
    long dataSize;
    long indexSize;
    switch (c) {
      case NONE -> {
        fileSize = 3389;
        dataSize = 2961;
        indexSize = 200;
      }
      case LZ4 -> {
        fileSize = 1773;
        dataSize = 1392;
        indexSize = 153;
      }
      default -> {
        fileSize = 1761;
        dataSize = 1384;
        indexSize = 149;
      }
    }
    return new TableProperties(
        1,
        new byte[0],
        new byte[] {(byte) 0xFF, (byte) 0xFF},
        1,
        1039,
        58,
        5,
        1_800_000_000_000L,
        1_900_000_000_000L,
        1_690_000_000_000L,
        1_699_999_999_999L,
        1_700_000_000_000L,
        fileSize,
        387,
        2006,
        2,
        2,
        8,
        dataSize,
        indexSize,
        60,
        c,
        256,
        4,
        10,
        false);
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void goldenFileReadsWithItsKnownContents(Compression c) throws IOException {
    byte[] file = golden(c);
    List<Entry> expected = GoldenTables.entries();
    try (TableReader reader =
        TableReader.open(
            GoldenTables.resource(c), file.length, BlockSource.of(file), BlockCache.none(), 1)) {
      assertThat(reader.properties()).isEqualTo(expectedProperties(c));
      assertThat(readAll(reader.iterator())).containsExactlyElementsOf(expected);
      for (Entry e : expected) {
        assertThat(reader.get(e.userKey(), e.seq())).isEqualTo(e);
      }
      assertThat(reader.get("a".getBytes())).isEqualTo(expected.get(1));
      assertThat(reader.get("key-003".getBytes()).kind()).isEqualTo(ValueKind.DELETE);
      assertThat(reader.get("key-0035".getBytes())).isNull();
      TableIterator it = reader.iterator();
      it.seek("versions".getBytes(), 45);
      assertThat(it.seq()).isEqualTo(45);
      it.seek("b".getBytes());
      assertThat(it.userKey()).isEqualTo("key-000".getBytes());
    }
  }

  @Test
  void regeneratingTheUncompressedGoldenGivesTheSameBytes() throws IOException {
    byte[] golden = golden(Compression.NONE);
    byte[] regenerated = GoldenTables.generate(Compression.NONE);
    int firstDifference = Arrays.mismatch(golden, regenerated);
    assertThat(firstDifference)
        .as("first differing byte (the SST format changed: bump the format version instead)")
        .isEqualTo(-1);
  }

  @ParameterizedTest
  @EnumSource(
      value = Compression.class,
      names = {"LZ4", "ZSTD"})
  void regeneratingCompressedGoldensGivesTheSameBlocks(Compression c) throws IOException {
    assertThat(decodedBlocks(GoldenTables.generate(c)))
        .containsExactlyElementsOf(decodedBlocks(golden(c)));
  }

  /**
   * A file's blocks, decoded: each data block's contents, the filter and properties contents, and
   * the index keys (handles differ when compressed sizes do), each as a hex string.
   */
  static List<String> decodedBlocks(byte[] file) {
    TableCorruptionTest.Layout layout = TableCorruptionTest.Layout.of(file);
    List<String> out = new ArrayList<>();
    for (BlockHandle h : layout.dataBlocks()) {
      out.add("data " + hex(decode(file, h)));
    }
    out.add("filter " + hex(decode(file, layout.filter())));
    out.add("properties " + hex(decode(file, layout.properties())));
    byte[] index = decode(file, layout.index());
    BlockIterator it = new BlockIterator(false);
    it.reset(new Block(index, index.length, "golden", 0, "index"));
    for (it.seekToFirst(); it.valid(); it.next()) {
      out.add("index key " + java.util.HexFormat.of().formatHex(it.key(), 0, it.keyLength()));
    }
    return out;
  }

  private static byte[] decode(byte[] file, BlockHandle h) {
    BlockDecoder.Contents c =
        BlockDecoder.decode(file, (int) h.offset(), (int) h.size(), "golden", h.offset(), "block");
    return Arrays.copyOf(c.data(), c.length());
  }

  private static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
  }

  @Test
  void footerBytesOfTheUncompressedGolden() throws IOException {
    byte[] file = golden(Compression.NONE);
    int f = file.length - 64;
    // filter handle, properties handle, index handle: (offset, size) as fixed64 pairs.
    assertThat(Coding.getFixed64(file, f)).isEqualTo(2961);
    assertThat(Coding.getFixed64(file, f + 8)).isEqualTo(60);
    assertThat(Coding.getFixed64(file, f + 16)).isEqualTo(2961 + 60 + 5);
    assertThat(Coding.getFixed64(file, f + 32) + Coding.getFixed64(file, f + 40) + 5).isEqualTo(f);
    assertThat(Coding.getFixed64(file, f + 40)).isEqualTo(200);
    assertThat(Coding.getFixed32(file, f + 48)).isEqualTo(1);
    assertThat(Arrays.copyOfRange(file, f + 56, f + 64))
        .containsExactly(0x8F, 'I', 'S', 'L', 'E', 'S', 'S', 'T');
  }
}
