package io.isledb.sst;

import io.isledb.util.Coding;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The fixed {@value SstFormat#FOOTER_LENGTH}-byte end of every SST: handles of the filter,
 * properties and index blocks (fixed64 offset and size each), fixed32 format version, fixed32
 * CRC32C of those 52 bytes, and the 8-byte magic.
 */
record Footer(BlockHandle filter, BlockHandle properties, BlockHandle index, int formatVersion) {

  /** Writes the footer into {@code out[off, off + FOOTER_LENGTH)}. */
  void encodeTo(byte[] out, int off) {
    Coding.putFixed64(out, off, filter.offset());
    Coding.putFixed64(out, off + 8, filter.size());
    Coding.putFixed64(out, off + 16, properties.offset());
    Coding.putFixed64(out, off + 24, properties.size());
    Coding.putFixed64(out, off + 32, index.offset());
    Coding.putFixed64(out, off + 40, index.size());
    Coding.putFixed32(out, off + SstFormat.FOOTER_VERSION_OFFSET, formatVersion);
    Coding.putFixed32(out, off + SstFormat.FOOTER_CRC_OFFSET, crc(out, off));
    System.arraycopy(
        SstFormat.MAGIC, 0, out, off + SstFormat.FOOTER_MAGIC_OFFSET, SstFormat.MAGIC.length);
  }

  private static int crc(byte[] buf, int off) {
    CRC32C crc = new CRC32C();
    crc.update(buf, off, SstFormat.FOOTER_CRC_OFFSET);
    return (int) crc.getValue();
  }

  /**
   * Reads and validates the footer in {@code buf[off, off + FOOTER_LENGTH)}, which sits at {@code
   * footerOffset} of the file: magic, checksum, version, and that the filter, properties and index
   * blocks follow each other without gaps and end exactly at the footer.
   */
  static Footer decode(byte[] buf, int off, long footerOffset, String table) {
    String what = "footer";
    if (!Arrays.equals(
        buf,
        off + SstFormat.FOOTER_MAGIC_OFFSET,
        off + SstFormat.FOOTER_LENGTH,
        SstFormat.MAGIC,
        0,
        SstFormat.MAGIC.length)) {
      throw Corruption.at(
          table,
          what,
          footerOffset,
          "bad magic 0x"
              + HexFormat.of()
                  .formatHex(
                      buf, off + SstFormat.FOOTER_MAGIC_OFFSET, off + SstFormat.FOOTER_LENGTH)
              + " (not an IsleDB SST, or truncated)");
    }
    int stored = Coding.getFixed32(buf, off + SstFormat.FOOTER_CRC_OFFSET);
    int actual = crc(buf, off);
    if (stored != actual) {
      throw Corruption.at(
          table,
          what,
          footerOffset,
          String.format("checksum mismatch: stored 0x%08x, computed 0x%08x", stored, actual));
    }
    int version = Coding.getFixed32(buf, off + SstFormat.FOOTER_VERSION_OFFSET);
    if (version != SstFormat.FORMAT_VERSION) {
      throw Corruption.at(
          table,
          what,
          footerOffset,
          "unsupported format version "
              + Integer.toUnsignedString(version)
              + " (this reader supports "
              + SstFormat.FORMAT_VERSION
              + ")");
    }
    BlockHandle filter = handle(buf, off, footerOffset, table, "filter");
    BlockHandle props = handle(buf, off + 16, footerOffset, table, "properties");
    BlockHandle index = handle(buf, off + 32, footerOffset, table, "index");
    if (filter.end() != props.offset()
        || props.end() != index.offset()
        || index.end() != footerOffset) {
      throw Corruption.at(
          table,
          what,
          footerOffset,
          "blocks do not tile the file: filter "
              + filter
              + ", properties "
              + props
              + ", index "
              + index
              + ", footer at "
              + footerOffset);
    }
    return new Footer(filter, props, index, version);
  }

  private static BlockHandle handle(
      byte[] buf, int off, long footerOffset, String table, String name) {
    long offset = Coding.getFixed64(buf, off);
    long size = Coding.getFixed64(buf, off + 8);
    if (offset < 0 || offset > footerOffset || size < 0 || size > SstFormat.MAX_BLOCK_LENGTH) {
      throw Corruption.at(
          table,
          "footer",
          footerOffset,
          name + " block handle (offset " + offset + ", size " + size + ") is out of range");
    }
    return new BlockHandle(offset, size);
  }
}
