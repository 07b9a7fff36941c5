package io.isledb.sst;

import io.isledb.IsleException;
import io.isledb.util.Coding;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32C;

/**
 * The byte side of a {@link TableBuilder}: appends blocks (compressed if that pays, or stored
 * as-is) with their trailers to the sink and tracks the file offset. Not thread-safe.
 */
final class BlockWriter {
  private final OutputStream sink;
  private final BlockEncoder encoder;
  private final int blockSize;
  private final byte[] trailer = new byte[SstFormat.BLOCK_TRAILER_LENGTH];
  private final CRC32C crc = new CRC32C();
  private long offset;

  BlockWriter(OutputStream sink, TableOptions options, int initialCapacity) {
    this.sink = sink;
    this.blockSize = options.blockSize();
    this.encoder = new BlockEncoder(options.compression(), options.zstdLevel(), initialCapacity);
  }

  /** Bytes written to the sink so far. */
  long offset() {
    return offset;
  }

  /** Writes a block, compressed if that pays. */
  BlockHandle writeBlock(byte[] raw, int length) {
    encoder.encode(raw, length, true);
    int stored = encoder.size();
    BlockHandle h = new BlockHandle(offset, stored - SstFormat.BLOCK_TRAILER_LENGTH);
    write(encoder.array(), 0, stored);
    if (stored > 2 * blockSize + 1024) {
      encoder.shrink();
    }
    return h;
  }

  /** Writes a block uncompressed, without copying it. */
  BlockHandle writeUncompressed(byte[] contents) {
    trailer[0] = Compression.NONE.id();
    crc.reset();
    crc.update(contents, 0, contents.length);
    crc.update(trailer, 0, 1);
    Coding.putFixed32(trailer, 1, (int) crc.getValue());
    BlockHandle h = new BlockHandle(offset, contents.length);
    write(contents, 0, contents.length);
    write(trailer, 0, trailer.length);
    return h;
  }

  /** Writes raw bytes (the footer). */
  void write(byte[] b, int off, int len) {
    try {
      sink.write(b, off, len);
    } catch (IOException e) {
      throw IsleException.unavailable("writing an SST failed at offset " + offset, e);
    }
    offset += len;
  }

  void flush() {
    try {
      sink.flush();
    } catch (IOException e) {
      throw IsleException.unavailable("flushing an SST failed", e);
    }
  }

  long retainedBytes() {
    return encoder.retainedBytes();
  }

  /** Releases codec resources; idempotent. */
  void close() {
    encoder.close();
  }
}
