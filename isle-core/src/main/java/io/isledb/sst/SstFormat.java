package io.isledb.sst;

import io.isledb.util.Internal;

/**
 * Every constant of the SST file format, in one place. {@code docs/FORMAT.md} ("SST files")
 * describes how they are used, byte by byte.
 *
 * <p>Constants marked <b>persisted</b> are written into files or decide how files are read: they
 * must never change. A change to the layout needs a new {@link #FORMAT_VERSION}, with readers
 * keeping support for every older version still in storage.
 */
@Internal
public final class SstFormat {
  private SstFormat() {}

  /** Persisted: never change. The format version this code writes (and the only one it reads). */
  public static final int FORMAT_VERSION = 1;

  /**
   * Persisted: never change. The last 8 bytes of every SST file: {@code 0x8F} followed by ASCII
   * {@code "ISLESST"}. The leading non-ASCII byte catches files mangled by text-mode transfers.
   */
  static final byte[] MAGIC = {(byte) 0x8F, 'I', 'S', 'L', 'E', 'S', 'S', 'T'};

  /**
   * Persisted: never change. Footer length in bytes: three block handles of two fixed64 each (48),
   * format version fixed32 (4), CRC32C of the preceding 52 bytes (4), magic (8).
   */
  static final int FOOTER_LENGTH = 64;

  /** Persisted: never change. Offset of the format version inside the footer. */
  static final int FOOTER_VERSION_OFFSET = 48;

  /** Persisted: never change. Offset of the footer checksum inside the footer. */
  static final int FOOTER_CRC_OFFSET = 52;

  /** Persisted: never change. Offset of the magic inside the footer. */
  static final int FOOTER_MAGIC_OFFSET = 56;

  /**
   * Persisted: never change. Bytes after each block's contents: 1 byte compression id, then the
   * CRC32C (fixed32) of the contents followed by that compression byte.
   */
  static final int BLOCK_TRAILER_LENGTH = 5;

  /**
   * Persisted: never change. Bytes in an internal key's trailer: fixed64 {@code seq << 8 | kind}.
   */
  static final int KEY_TRAILER_LENGTH = 8;

  /**
   * Persisted: never change. Bytes of the expiry (fixed64 epoch millis) before an expiring value.
   */
  static final int EXPIRY_LENGTH = 8;

  /** Persisted: never change. Largest sequence number: sequence numbers use 56 bits. */
  public static final long MAX_SEQUENCE = (1L << 56) - 1;

  /**
   * Persisted: never change. The trailer used to position at the first (newest) version of a user
   * key; it sorts before every real trailer. Also the trailer of shortened index separators.
   */
  static final long MAX_TRAILER = -1L; // (MAX_SEQUENCE << 8) | 0xFF, all 64 bits set

  /** Persisted: never change. Seed of the 64-bit xxHash used by the bloom filter. */
  static final long BLOOM_HASH_SEED = 0x1513_DB5E_ED00_0001L;

  /** Persisted: never change. Largest number of bloom probes a reader accepts. */
  static final int MAX_BLOOM_PROBES = 30;

  /** Persisted: never change. Restart interval of index blocks: every entry is a restart point. */
  static final int INDEX_RESTART_INTERVAL = 1;

  /**
   * Persisted: never change. Largest block contents (after decompression) and largest block as
   * stored that a reader accepts; every length read from a file is bounded by it, so corrupt
   * lengths cannot trigger huge allocations. Writers never produce larger blocks.
   */
  public static final int MAX_BLOCK_LENGTH = 128 << 20;

  /** Largest user key in a table, 64 KiB; {@code WriterOptions.MAX_KEY_SIZE} is this. */
  public static final int MAX_KEY_LENGTH = 64 << 10;

  /**
   * Largest value stored inline in a table, 64 MiB (larger values are stored as blobs, and a value
   * reference is far smaller; the limit keeps every block within {@link #MAX_BLOCK_LENGTH}). {@code
   * WriterOptions.MAX_INLINE_VALUE_SIZE} is this, and it bounds the {@code blobThreshold} options.
   */
  public static final int MAX_VALUE_LENGTH = 64 << 20;

  /** Largest data block size option: 16 MiB. */
  public static final int MAX_BLOCK_SIZE_OPTION = 16 << 20;

  /**
   * Compression must make a block at least this fraction smaller (as {@code 1/8} = 12.5%) or the
   * block is stored uncompressed: the stored size must be below {@code raw - raw / 8}.
   */
  static final int MIN_COMPRESSION_SAVING_SHIFT = 3;

  /** Bytes read from the end of a file by the first request of {@link TableReader#open}. */
  public static final int DEFAULT_TAIL_READ_LENGTH = 64 << 10;

  // Properties block tags. Persisted: never change; new properties get new, higher tags.
  static final int PROP_SMALLEST_KEY = 1;
  static final int PROP_LARGEST_KEY = 2;
  static final int PROP_MIN_SEQ = 3;
  static final int PROP_MAX_SEQ = 4;
  static final int PROP_ENTRY_COUNT = 5;
  static final int PROP_TOMBSTONE_COUNT = 6;
  static final int PROP_EXPIRING_COUNT = 7;
  static final int PROP_BLOB_COUNT = 8;
  static final int PROP_MIN_EXPIRES_AT = 9;
  static final int PROP_MAX_EXPIRES_AT = 10;
  static final int PROP_MIN_DATA_TIME = 11;
  static final int PROP_MAX_DATA_TIME = 12;
  static final int PROP_CREATION_TIME = 13;
  static final int PROP_RAW_KEY_BYTES = 14;
  static final int PROP_RAW_VALUE_BYTES = 15;
  static final int PROP_DATA_BLOCK_COUNT = 16;
  static final int PROP_COMPRESSION = 17;
  static final int PROP_BLOCK_SIZE = 18;
  static final int PROP_RESTART_INTERVAL = 19;
  static final int PROP_BLOOM_BITS_PER_KEY = 20;

  /** The highest tag format version 1 defines; every tag 1..this must be present. */
  static final int PROP_LAST_REQUIRED_TAG = PROP_BLOOM_BITS_PER_KEY;

  /**
   * Optional (absent = false): value 1 says the i-th entry of the table (in key order, from 1) has
   * sequence number i, so an entry's place in its table is its sequence number minus 1. Written by
   * {@code SstWriter} (external tables); readers that predate it skip it.
   */
  static final int PROP_SEQ_IS_ORDINAL = 32;
}
