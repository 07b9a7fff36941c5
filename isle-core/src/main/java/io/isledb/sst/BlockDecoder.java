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
    return decode(buf, off, size, table, fileOffset, what, -1);
  }

  /**
   * Like {@link #decode(byte[], int, int, String, long, String)} for data block {@code index},
   * whose name is only built for a message: a cold point lookup decodes one block and should not
   * pay for naming it.
   */
  static Contents decodeData(
      byte[] buf, int off, int size, String table, long fileOffset, int index) {
    return decode(buf, off, size, table, fileOffset, null, index);
  }

  static String dataBlock(int index) {
    return "data block " + index;
  }

  private static Contents decode(
      byte[] buf, int off, int size, String table, long fileOffset, String what, int index) {
    int type = buf[off + size] & 0xFF;
    int stored = Coding.getFixed32(buf, off + size + 1);
    CRC32C crc = new CRC32C();
    crc.update(buf, off, size + 1);
    int actual = (int) crc.getValue();
    if (stored != actual) {
      throw Corruption.at(
          table,
          name(what, index),
          fileOffset,
          String.format(
              "checksum mismatch over %d bytes: stored 0x%08x, computed 0x%08x",
              size + 1, stored, actual));
    }
    Compression c = Compression.byIdOrNull(type);
    if (c == null) {
      throw Corruption.at(table, name(what, index), fileOffset, "unknown compression id " + type);
    }
    if (c == Compression.NONE) {
      return off == 0 ? new Contents(buf, size) : new Contents(copy(buf, off, size), size);
    }
    // The uncompressed length, a varint: read in place (no reader object).
    int end = off + size;
    int src = off;
    long rawLength = 0;
    for (int shift = 0; ; shift += 7) {
      if (src >= end || shift > 63) {
        throw Corruption.at(
            table, name(what, index), fileOffset, "uncompressed length is not a valid varint");
      }
      int b = buf[src++] & 0xFF;
      rawLength |= (long) (b & 0x7F) << shift;
      if (b < 0x80) {
        break;
      }
    }
    if (rawLength < 0 || rawLength > SstFormat.MAX_BLOCK_LENGTH) {
      throw Corruption.at(
          table,
          name(what, index),
          fileOffset,
          "uncompressed length "
              + Long.toUnsignedString(rawLength)
              + " is out of range [0, "
              + SstFormat.MAX_BLOCK_LENGTH
              + "]");
    }
    int srcLength = end - src;
    byte[] raw = new byte[(int) rawLength];
    int n;
    try {
      n =
          c == Compression.LZ4
              ? LZ4.decompress(buf, src, srcLength, raw, 0, raw.length)
              : ZSTD.get().decompressByteArray(raw, 0, raw.length, buf, src, srcLength);
    } catch (RuntimeException e) {
      throw Corruption.at(
          table, name(what, index), fileOffset, c + " decompression failed: " + e.getMessage(), e);
    }
    if (n != raw.length) {
      throw Corruption.at(
          table,
          name(what, index),
          fileOffset,
          c + " decompressed to " + n + " bytes, expected " + raw.length);
    }
    return new Contents(raw, raw.length);
  }

  private static String name(String what, int index) {
    return what != null ? what : dataBlock(index);
  }

  private static byte[] copy(byte[] buf, int off, int size) {
    return Arrays.copyOfRange(buf, off, off + size);
  }
}
