package io.isledb.sst;

import com.github.luben.zstd.ZstdDecompressCtx;
import io.isledb.util.Coding;
import java.nio.ByteBuffer;
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
    Compression c = verify(buf, off, size, table, fileOffset, what, index);
    if (c == Compression.NONE) {
      return off == 0 ? new Contents(buf, size) : new Contents(copy(buf, off, size), size);
    }
    int src = skipVarint(buf, off, size);
    int rawLength = rawLength(buf, off, size, table, fileOffset, what, index);
    byte[] raw = new byte[rawLength];
    decompress(c, buf, src, off + size - src, raw, null, table, fileOffset, what, index);
    return new Contents(raw, raw.length);
  }

  /**
   * Decodes data block {@code index}, stored in {@code buf[off, off + size)} with its trailer, into
   * a slot of {@code arena} (native memory, no heap array): the block cache's copy of it. Returns
   * null, having decoded nothing, when the arena has no slot to give; the caller then decodes onto
   * the heap ({@link #decodeData}).
   */
  static Block decodeDataInto(
      BlockArena arena, byte[] buf, int off, int size, String table, long fileOffset, int index) {
    Compression c = verify(buf, off, size, table, fileOffset, null, index);
    int rawLength =
        c == Compression.NONE ? size : rawLength(buf, off, size, table, fileOffset, null, index);
    BlockArena.Slot slot = arena.allocate(rawLength);
    if (slot == null) {
      return null;
    }
    try {
      if (c == Compression.NONE) {
        slot.buffer.put(0, buf, off, size);
      } else {
        int src = skipVarint(buf, off, size);
        decompress(
            c, buf, src, off + size - src, null, slot.buffer, table, fileOffset, null, index);
      }
    } catch (RuntimeException e) {
      arena.free(slot);
      throw e;
    }
    return new Block(arena, slot, rawLength, table, fileOffset, index);
  }

  /**
   * Checks the trailer (checksum, compression id) of the block {@code what} in {@code buf[off, off
   * + size)} without decoding it; returns its compression.
   */
  static Compression verify(
      byte[] buf, int off, int size, String table, long fileOffset, String what) {
    return verify(buf, off, size, table, fileOffset, what, -1);
  }

  /** Checks the CRC32C and the compression id of a stored block; returns its compression. */
  private static Compression verify(
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
    return c;
  }

  /** The uncompressed length, a varint at {@code buf[off]}: read in place (no reader object). */
  private static int rawLength(
      byte[] buf, int off, int size, String table, long fileOffset, String what, int index) {
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
    return (int) rawLength;
  }

  /** Where the compressed bytes start: after the length varint ({@link #rawLength} checked it). */
  private static int skipVarint(byte[] buf, int off, int size) {
    int src = off;
    while (src < off + size && buf[src] < 0) {
      src++;
    }
    return src + 1;
  }

  /**
   * Decompresses {@code buf[src, src + srcLength)} into all of {@code raw}, or of {@code direct}
   * (one of them is null), reporting codec errors and a wrong length as corruption.
   */
  private static void decompress(
      Compression c,
      byte[] buf,
      int src,
      int srcLength,
      byte[] raw,
      ByteBuffer direct,
      String table,
      long fileOffset,
      String what,
      int index) {
    int expected = raw != null ? raw.length : direct.capacity();
    int n;
    try {
      if (raw != null) {
        n =
            c == Compression.LZ4
                ? LZ4.decompress(buf, src, srcLength, raw, 0, expected)
                : ZSTD.get().decompressByteArray(raw, 0, expected, buf, src, srcLength);
      } else {
        n =
            c == Compression.LZ4
                ? LZ4.decompress(ByteBuffer.wrap(buf), src, srcLength, direct, 0, expected)
                : ZSTD.get()
                    .decompressByteArrayToDirectByteBuffer(
                        direct, 0, expected, buf, src, srcLength);
      }
    } catch (RuntimeException e) {
      throw Corruption.at(
          table, name(what, index), fileOffset, c + " decompression failed: " + e.getMessage(), e);
    }
    if (n != expected) {
      throw Corruption.at(
          table,
          name(what, index),
          fileOffset,
          c + " decompressed to " + n + " bytes, expected " + expected);
    }
  }

  private static String name(String what, int index) {
    return what != null ? what : dataBlock(index);
  }

  private static byte[] copy(byte[] buf, int off, int size) {
    return Arrays.copyOfRange(buf, off, off + size);
  }
}
