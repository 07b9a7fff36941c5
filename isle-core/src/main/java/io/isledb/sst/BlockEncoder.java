package io.isledb.sst;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import io.isledb.IsleException;
import io.isledb.util.GrowableBuffer;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Turns block contents into the bytes stored in a file: the contents, compressed if that saves at
 * least 12.5%, followed by the block trailer (compression id, CRC32C). Reuses its buffers and codec
 * state across blocks; {@link #close()} releases native zstd state. Not thread-safe.
 */
final class BlockEncoder implements AutoCloseable {
  private static final LZ4Compressor LZ4 = LZ4Factory.fastestInstance().fastCompressor();

  private final Compression compression;
  private final int zstdLevel;
  private final int initialCapacity;
  private final GrowableBuffer out;
  private final CRC32C crc = new CRC32C();
  private ZstdCompressCtx zstd;

  BlockEncoder(Compression compression, int zstdLevel, int initialCapacity) {
    this.compression = compression;
    this.zstdLevel = zstdLevel;
    this.initialCapacity = initialCapacity;
    this.out = new GrowableBuffer(initialCapacity);
  }

  /**
   * Encodes {@code raw[0, rawLength)}; the stored bytes (contents and trailer) are then {@link
   * #array()}{@code [0, }{@link #size()}{@code )} until the next call. The block handle's size is
   * {@code size() - BLOCK_TRAILER_LENGTH}.
   *
   * @param tryCompress whether to try the table's codec (false stores the block as is)
   */
  void encode(byte[] raw, int rawLength, boolean tryCompress) {
    out.reset();
    Compression used = Compression.NONE;
    if (tryCompress && compression != Compression.NONE && rawLength > 0) {
      used = compress(raw, rawLength) ? compression : Compression.NONE;
    }
    if (used == Compression.NONE) {
      out.reset();
      out.write(raw, 0, rawLength);
    }
    out.writeByte(used.id());
    crc.reset();
    crc.update(out.array(), 0, out.size());
    out.writeFixed32((int) crc.getValue());
  }

  /** Compresses into {@link #out}; returns false (contents undefined) if it does not pay. */
  private boolean compress(byte[] raw, int rawLength) {
    int limit = rawLength - (rawLength >>> SstFormat.MIN_COMPRESSION_SAVING_SHIFT);
    out.writeVarint(rawLength);
    int header = out.size();
    int written;
    try {
      if (compression == Compression.LZ4) {
        int max = LZ4.maxCompressedLength(rawLength);
        out.ensureWritable(max + SstFormat.BLOCK_TRAILER_LENGTH);
        written = LZ4.compress(raw, 0, rawLength, out.array(), header, max);
      } else {
        int max = (int) Math.min(Integer.MAX_VALUE - 64, Zstd.compressBound(rawLength));
        out.ensureWritable(max + SstFormat.BLOCK_TRAILER_LENGTH);
        written = zstd().compressByteArray(out.array(), header, max, raw, 0, rawLength);
      }
    } catch (RuntimeException e) {
      throw IsleException.internal(compression + " compression of a block failed", e);
    }
    if (header + written >= limit) {
      return false;
    }
    out.advance(written);
    return true;
  }

  private ZstdCompressCtx zstd() {
    if (zstd == null) {
      zstd = new ZstdCompressCtx();
      zstd.setLevel(zstdLevel);
      zstd.setChecksum(false);
      zstd.setContentSize(true);
    }
    return zstd;
  }

  byte[] array() {
    return out.array();
  }

  int size() {
    return out.size();
  }

  /** Gives back memory if a large block grew the buffer past {@code 2 * initialCapacity}. */
  void shrink() {
    out.resetAndShrink(2 * initialCapacity + 1024);
  }

  long retainedBytes() {
    return out.capacity();
  }

  @Override
  public void close() {
    if (zstd != null) {
      zstd.close();
      zstd = null;
    }
  }
}
