package io.isledb.sst;

import static io.isledb.sst.SstFormat.MAX_BLOCK_SIZE_OPTION;
import static io.isledb.sst.SstFormat.MAX_KEY_LENGTH;
import static io.isledb.sst.SstFormat.MAX_SEQUENCE;
import static io.isledb.sst.SstFormat.PROP_BLOB_COUNT;
import static io.isledb.sst.SstFormat.PROP_BLOCK_SIZE;
import static io.isledb.sst.SstFormat.PROP_BLOOM_BITS_PER_KEY;
import static io.isledb.sst.SstFormat.PROP_COMPRESSION;
import static io.isledb.sst.SstFormat.PROP_CREATION_TIME;
import static io.isledb.sst.SstFormat.PROP_DATA_BLOCK_COUNT;
import static io.isledb.sst.SstFormat.PROP_ENTRY_COUNT;
import static io.isledb.sst.SstFormat.PROP_EXPIRING_COUNT;
import static io.isledb.sst.SstFormat.PROP_LARGEST_KEY;
import static io.isledb.sst.SstFormat.PROP_LAST_REQUIRED_TAG;
import static io.isledb.sst.SstFormat.PROP_MAX_DATA_TIME;
import static io.isledb.sst.SstFormat.PROP_MAX_EXPIRES_AT;
import static io.isledb.sst.SstFormat.PROP_MAX_SEQ;
import static io.isledb.sst.SstFormat.PROP_MIN_DATA_TIME;
import static io.isledb.sst.SstFormat.PROP_MIN_EXPIRES_AT;
import static io.isledb.sst.SstFormat.PROP_MIN_SEQ;
import static io.isledb.sst.SstFormat.PROP_RAW_KEY_BYTES;
import static io.isledb.sst.SstFormat.PROP_RAW_VALUE_BYTES;
import static io.isledb.sst.SstFormat.PROP_RESTART_INTERVAL;
import static io.isledb.sst.SstFormat.PROP_SEQ_IS_ORDINAL;
import static io.isledb.sst.SstFormat.PROP_SMALLEST_KEY;
import static io.isledb.sst.SstFormat.PROP_TOMBSTONE_COUNT;

import io.isledb.util.GrowableBuffer;

/**
 * Encodes and decodes the properties block: a sequence of {@code varint32 tag, varint32 length,
 * value} records in strictly increasing tag order. Numbers are varint64 of the value's 64 bits;
 * keys are raw bytes. Format version 1 requires tags 1 to {@link SstFormat#PROP_LAST_REQUIRED_TAG};
 * readers skip higher (unknown) tags, so later writers can add properties without a new format
 * version.
 *
 * <p>Format version, file size and block sizes are not stored here; they come from the footer and
 * the file's length.
 */
final class PropertiesCodec {
  private PropertiesCodec() {}

  static byte[] encode(TableProperties p) {
    GrowableBuffer out = new GrowableBuffer(128 + p.smallestKey().length + p.largestKey().length);
    bytes(out, PROP_SMALLEST_KEY, p.smallestKey());
    bytes(out, PROP_LARGEST_KEY, p.largestKey());
    number(out, PROP_MIN_SEQ, p.minSeq());
    number(out, PROP_MAX_SEQ, p.maxSeq());
    number(out, PROP_ENTRY_COUNT, p.entryCount());
    number(out, PROP_TOMBSTONE_COUNT, p.tombstoneCount());
    number(out, PROP_EXPIRING_COUNT, p.expiringCount());
    number(out, PROP_BLOB_COUNT, p.blobCount());
    number(out, PROP_MIN_EXPIRES_AT, p.minExpiresAtMillis());
    number(out, PROP_MAX_EXPIRES_AT, p.maxExpiresAtMillis());
    number(out, PROP_MIN_DATA_TIME, p.minDataTimeMillis());
    number(out, PROP_MAX_DATA_TIME, p.maxDataTimeMillis());
    number(out, PROP_CREATION_TIME, p.creationTimeMillis());
    number(out, PROP_RAW_KEY_BYTES, p.rawKeyBytes());
    number(out, PROP_RAW_VALUE_BYTES, p.rawValueBytes());
    number(out, PROP_DATA_BLOCK_COUNT, p.dataBlockCount());
    number(out, PROP_COMPRESSION, p.compression().id());
    number(out, PROP_BLOCK_SIZE, p.blockSize());
    number(out, PROP_RESTART_INTERVAL, p.restartInterval());
    number(out, PROP_BLOOM_BITS_PER_KEY, p.bloomBitsPerKey());
    if (p.seqIsOrdinal()) {
      number(out, PROP_SEQ_IS_ORDINAL, 1); // absent when false: unmarked tables keep their bytes
    }
    return out.toByteArray();
  }

  private static void bytes(GrowableBuffer out, int tag, byte[] value) {
    out.writeVarint(tag);
    out.writeVarint(value.length);
    out.write(value);
  }

  private static void number(GrowableBuffer out, int tag, long value) {
    out.writeVarint(tag);
    out.writeVarint(io.isledb.util.Coding.varintLength(value));
    out.writeVarint(value);
  }

  /**
   * Decodes properties block contents {@code data[0, length)} and checks them for consistency.
   *
   * @param footer the table's footer (for the version and the sizes of the other blocks)
   * @param fileSize the table's length
   */
  static TableProperties decode(
      byte[] data, int length, Footer footer, long fileSize, String table) {
    long fileOffset = footer.properties().offset();
    SliceReader in = new SliceReader(data, 0, length, table, "properties block", fileOffset);
    byte[][] keys = new byte[3][];
    long[] numbers = new long[PROP_LAST_REQUIRED_TAG + 1];
    boolean[] seen = new boolean[PROP_LAST_REQUIRED_TAG + 1];
    int lastTag = 0;
    boolean seqIsOrdinal = false;
    while (in.hasRemaining()) {
      int tag = in.readLength("property tag", Integer.MAX_VALUE);
      if (tag <= lastTag) {
        throw in.corruption("property tag " + tag + " after tag " + lastTag);
      }
      lastTag = tag;
      int len = in.readLength("length of property " + tag, in.remaining());
      if (tag == PROP_SEQ_IS_ORDINAL) {
        int end = in.position() + len;
        long v = in.readVarint64("property " + tag);
        if (in.position() != end || v != 1) {
          throw in.corruption("property " + tag + " (seq-is-ordinal) must be the number 1");
        }
        seqIsOrdinal = true;
        continue;
      }
      if (tag > PROP_LAST_REQUIRED_TAG) {
        in.skip(len, "property " + tag);
        continue;
      }
      seen[tag] = true;
      if (tag == PROP_SMALLEST_KEY || tag == PROP_LARGEST_KEY) {
        if (len > MAX_KEY_LENGTH) {
          throw in.corruption("property " + tag + " is a " + len + "-byte key");
        }
        keys[tag] = in.readBytes(len, "property " + tag);
      } else {
        int end = in.position() + len;
        numbers[tag] = in.readVarint64("property " + tag);
        if (in.position() != end) {
          throw in.corruption(
              "property " + tag + " is " + len + " bytes but holds a shorter varint");
        }
      }
    }
    for (int tag = 1; tag <= PROP_LAST_REQUIRED_TAG; tag++) {
      if (!seen[tag]) {
        throw in.corruption("required property " + tag + " is missing");
      }
    }
    int compressionId = (int) numbers[PROP_COMPRESSION];
    Compression compression =
        numbers[PROP_COMPRESSION] == compressionId ? Compression.byIdOrNull(compressionId) : null;
    if (compression == null) {
      throw in.corruption("unknown compression id " + numbers[PROP_COMPRESSION]);
    }
    long entries = numbers[PROP_ENTRY_COUNT];
    long minSeq = numbers[PROP_MIN_SEQ];
    long maxSeq = numbers[PROP_MAX_SEQ];
    boolean consistent =
        entries >= 0
            && minSeq >= 0
            && minSeq <= maxSeq
            && maxSeq <= MAX_SEQUENCE
            && inRange(numbers[PROP_TOMBSTONE_COUNT], entries)
            && inRange(numbers[PROP_EXPIRING_COUNT], entries)
            && inRange(numbers[PROP_BLOB_COUNT], entries)
            && numbers[PROP_RAW_KEY_BYTES] >= 0
            && numbers[PROP_RAW_VALUE_BYTES] >= 0
            && inRange(numbers[PROP_DATA_BLOCK_COUNT], entries)
            && (entries == 0) == (numbers[PROP_DATA_BLOCK_COUNT] == 0)
            && numbers[PROP_BLOCK_SIZE] >= 1
            && numbers[PROP_BLOCK_SIZE] <= MAX_BLOCK_SIZE_OPTION
            && numbers[PROP_RESTART_INTERVAL] >= 1
            && numbers[PROP_RESTART_INTERVAL] <= 65536
            && inRange(numbers[PROP_BLOOM_BITS_PER_KEY], 64)
            && (!seqIsOrdinal || entries == 0 || (minSeq == 1 && maxSeq == entries));
    if (!consistent) {
      throw in.corruption("inconsistent counts or options: " + java.util.Arrays.toString(numbers));
    }
    return new TableProperties(
        footer.formatVersion(),
        keys[PROP_SMALLEST_KEY],
        keys[PROP_LARGEST_KEY],
        minSeq,
        maxSeq,
        entries,
        numbers[PROP_TOMBSTONE_COUNT],
        numbers[PROP_MIN_EXPIRES_AT],
        numbers[PROP_MAX_EXPIRES_AT],
        numbers[PROP_MIN_DATA_TIME],
        numbers[PROP_MAX_DATA_TIME],
        numbers[PROP_CREATION_TIME],
        fileSize,
        numbers[PROP_RAW_KEY_BYTES],
        numbers[PROP_RAW_VALUE_BYTES],
        numbers[PROP_EXPIRING_COUNT],
        numbers[PROP_BLOB_COUNT],
        numbers[PROP_DATA_BLOCK_COUNT],
        footer.filter().offset(),
        footer.index().size(),
        footer.filter().size(),
        compression,
        (int) numbers[PROP_BLOCK_SIZE],
        (int) numbers[PROP_RESTART_INTERVAL],
        (int) numbers[PROP_BLOOM_BITS_PER_KEY],
        seqIsOrdinal);
  }

  private static boolean inRange(long v, long max) {
    return v >= 0 && v <= max;
  }
}
