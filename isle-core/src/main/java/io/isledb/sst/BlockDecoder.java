package io.isledb.sst;

import com.github.luben.zstd.ZstdDecompressCtx;
import io.isledb.util.Coding;
import java.util.Arrays;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Verifies and decodes stored blocks: checks the CRC32C of contents and compression id, then
 * decompresses. Every length is bounded by {@link SstFormat#MAX_BLOCK_LENGTH}; codec errors are
 * reported as corruption. Thread-safe.
 */
final class BlockDecoder {
  private static final LZ4SafeDecompressor LZ4 = LZ4Factory.fastestInstance().safeDecompressor();
  private static final ThreadLocal<ZstdDecompressCtx> ZSTD =
      ThreadLocal.withInitial(ZstdDecompressCtx::new);

  private BlockDecoder() {}

  /** Decoded contents: {@code data[0, length)}. */
  record Contents(byte[] data, int length) {}

  /**
   * Decodes the block whose stored contents are {@code buf[off, off + size)}, followed by its
   * 5-byte trailer.
   *
   * @param fileOffset where the block starts in the file, for messages
   * @param what what the block is ("data block 3", "index block"), for messages
   */
  static Contents decode(
      byte[] buf, int off, int size, String table, long fileOffset, String what) {
    int type = buf[off + size] & 0xFF;
    int stored = Coding.getFixed32(buf, off + size + 1);
    CRC32C crc = new CRC32C();
    crc.update(buf, off, size + 1);
    int actual = (int) crc.getValue();
    if (stored != actual) {
      throw Corruption.at(
          table,
          what,
          fileOffset,
          String.format(
              "checksum mismatch over %d bytes: stored 0x%08x, computed 0x%08x",
              size + 1, stored, actual));
    }
    Compression c = Compression.byIdOrNull(type);
    if (c == null) {
      throw Corruption.at(table, what, fileOffset, "unknown compression id " + type);
    }
    if (c == Compression.NONE) {
      return off == 0 ? new Contents(buf, size) : new Contents(copy(buf, off, size), size);
    }
    SliceReader in = new SliceReader(buf, off, off + size, table, what, fileOffset);
    int rawLength = in.readLength("uncompressed length", SstFormat.MAX_BLOCK_LENGTH);
    int src = in.position();
    int srcLength = in.remaining();
    byte[] raw = new byte[rawLength];
    int n;
    try {
      n =
          c == Compression.LZ4
              ? LZ4.decompress(buf, src, srcLength, raw, 0, rawLength)
              : ZSTD.get().decompressByteArray(raw, 0, rawLength, buf, src, srcLength);
    } catch (RuntimeException e) {
      throw Corruption.at(
          table, what, fileOffset, c + " decompression failed: " + e.getMessage(), e);
    }
    if (n != rawLength) {
      throw Corruption.at(
          table, what, fileOffset, c + " decompressed to " + n + " bytes, expected " + rawLength);
    }
    return new Contents(raw, rawLength);
  }

  private static byte[] copy(byte[] buf, int off, int size) {
    return Arrays.copyOfRange(buf, off, off + size);
  }
}
