package io.isledb.sst;

import io.isledb.IsleException;
import io.isledb.util.Coding;
import io.isledb.util.GrowableBuffer;
import io.isledb.util.Internal;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Writes one SST to an {@link OutputStream}, streaming: each data block is written as soon as it is
 * complete, so memory stays bounded by one block plus the index and 8 bytes per distinct user key
 * for the bloom filter, whatever the table's size. {@link #finish()} then writes the filter,
 * properties and index blocks and the footer. See {@code docs/FORMAT.md} for the layout.
 *
 * <p>Entries must be added in strictly increasing internal-key order: user key ascending (unsigned
 * bytewise), then sequence number descending. The builder does not close the stream; the caller
 * does, after {@link #finish()} (to publish) or without it (to abandon). {@link #close()} releases
 * codec resources and is a no-op after {@code finish()}. Not thread-safe.
 */
@Internal
public final class TableBuilder implements AutoCloseable {
  private enum State {
    OPEN,
    FINISHED,
    FAILED,
    CLOSED
  }

  private final TableOptions options;
  private final BlockBuilder dataBlock;
  private final BlockBuilder indexBlock;
  private final BloomFilter.Builder bloom;
  private final BlockWriter out;
  private final GrowableBuffer handleBuffer = new GrowableBuffer(24);
  private State state = State.OPEN;

  private byte[] lastKey = new byte[64]; // internal key of the last entry
  private int lastKeyLength;
  private long lastSeq;
  private byte[] separator = new byte[64];
  private boolean pendingIndexEntry;
  private long pendingOffset;
  private long pendingSize;

  private byte[] smallestKey;
  private long entryCount;
  private long tombstoneCount;
  private long expiringCount;
  private long blobCount;
  // Bounds start empty (min above max); properties() records 0 for a bound nothing was counted in.
  private long minSeq = Long.MAX_VALUE;
  private long maxSeq = Long.MIN_VALUE;
  private long minExpiresAt = Long.MAX_VALUE;
  private long maxExpiresAt = Long.MIN_VALUE;
  private long rawKeyBytes;
  private long rawValueBytes;
  private long dataBlockCount;
  private boolean seqIsOrdinal;

  /**
   * A builder writing to {@code sink} with {@code options}.
   *
   * @throws IsleException INVALID_ARGUMENT if the options' data time range is inverted
   */
  public TableBuilder(OutputStream sink, TableOptions options) {
    if (sink == null || options == null) {
      throw IsleException.invalidArgument("sink and options must not be null");
    }
    if (options.minDataTimeMillis() > options.maxDataTimeMillis()) {
      throw IsleException.invalidArgument(
          "TableOptions: minDataTimeMillis "
              + options.minDataTimeMillis()
              + " > maxDataTimeMillis "
              + options.maxDataTimeMillis());
    }
    this.options = options;
    int initial = Math.min(options.blockSize() + 1024, 1 << 20);
    this.dataBlock = new BlockBuilder(options.restartInterval(), initial);
    this.indexBlock = new BlockBuilder(SstFormat.INDEX_RESTART_INTERVAL, 4096);
    this.bloom = new BloomFilter.Builder(options.bloomBitsPerKey());
    this.out = new BlockWriter(sink, options, initial);
  }

  /**
   * Adds an entry.
   *
   * @param userKey the user key, at most {@link SstFormat#MAX_KEY_LENGTH} bytes (may be empty)
   * @param seq sequence number in {@code [0, SstFormat.MAX_SEQUENCE]}
   * @param kind the entry's kind
   * @param expiresAtMillis expiry (epoch millis, positive) for kinds with {@link
   *     ValueKind#hasExpiry()}; must be 0 for other kinds
   * @param value the value or blob reference, at most {@link SstFormat#MAX_VALUE_LENGTH} bytes;
   *     empty for {@link ValueKind#DELETE}
   * @throws IsleException INVALID_ARGUMENT for an invalid entry or one not strictly after the
   *     previous (the builder stays usable); UNAVAILABLE if the sink failed (the builder is then
   *     unusable); CLOSED after {@link #finish()} or {@link #close()}
   */
  public void add(byte[] userKey, long seq, ValueKind kind, long expiresAtMillis, byte[] value) {
    checkOpen();
    if (userKey == null || kind == null || value == null) {
      throw IsleException.invalidArgument("userKey, kind and value must not be null");
    }
    add(userKey, 0, userKey.length, seq, kind, expiresAtMillis, value, 0, value.length);
  }

  /**
   * Like {@link #add(byte[], long, ValueKind, long, byte[])} with the user key in {@code
   * keyBuf[keyOffset, keyOffset + keyLength)} and the value in {@code valueBuf[valueOffset,
   * valueOffset + valueLength)}, so callers holding entries in larger buffers copy nothing.
   */
  public void add(
      byte[] keyBuf,
      int keyOffset,
      int keyLength,
      long seq,
      ValueKind kind,
      long expiresAtMillis,
      byte[] valueBuf,
      int valueOffset,
      int valueLength) {
    checkOpen();
    EntryChecks.validate(
        keyBuf, keyOffset, keyLength, seq, kind, expiresAtMillis, valueBuf, valueLength);
    if (seqIsOrdinal && seq != entryCount + 1) {
      throw IsleException.invalidArgument(
          "a table marked seq-is-ordinal needs sequence number "
              + (entryCount + 1)
              + " for its entry "
              + (entryCount + 1)
              + ", got "
              + seq);
    }
    int userLength = lastKeyLength - SstFormat.KEY_TRAILER_LENGTH;
    boolean sameUserKey = false;
    if (entryCount > 0) {
      int c =
          Arrays.compareUnsigned(lastKey, 0, userLength, keyBuf, keyOffset, keyOffset + keyLength);
      if (c > 0 || (c == 0 && seq >= lastSeq)) {
        throw IsleException.invalidArgument(
            "entries must be added in strictly increasing order (user key ascending, then seq"
                + " descending): key "
                + Keys.describe(keyBuf, keyOffset, keyLength)
                + " seq "
                + seq
                + " follows key "
                + Keys.describe(lastKey, 0, userLength)
                + " seq "
                + lastSeq);
      }
      sameUserKey = c == 0;
    }
    try {
      if (pendingIndexEntry) {
        addSeparatorIndexEntry(keyBuf, keyOffset, keyLength);
      }
      if (!sameUserKey) {
        bloom.addHash(BloomFilter.hash(keyBuf, keyOffset, keyLength));
      }
      int internalLength = keyLength + SstFormat.KEY_TRAILER_LENGTH;
      if (internalLength > lastKey.length) {
        lastKey = new byte[Math.max(internalLength, lastKey.length * 2)];
      }
      System.arraycopy(keyBuf, keyOffset, lastKey, 0, keyLength);
      Coding.putFixed64(lastKey, keyLength, Keys.trailer(seq, kind));
      lastKeyLength = internalLength;
      lastSeq = seq;
      dataBlock.add(
          lastKey,
          internalLength,
          kind.hasExpiry(),
          expiresAtMillis,
          valueBuf,
          valueOffset,
          valueLength);
      count(keyLength, seq, kind, expiresAtMillis, valueLength);
      if (dataBlock.sizeEstimate() >= options.blockSize()) {
        flushDataBlock();
      }
    } catch (RuntimeException e) {
      fail();
      throw e;
    }
  }

  private void count(int keyLength, long seq, ValueKind kind, long expiresAt, int valueLength) {
    if (entryCount == 0) {
      smallestKey = Arrays.copyOf(lastKey, keyLength);
    }
    minSeq = Math.min(minSeq, seq);
    maxSeq = Math.max(maxSeq, seq);
    entryCount++;
    rawKeyBytes += keyLength;
    rawValueBytes += valueLength;
    if (kind.isTombstone()) {
      tombstoneCount++;
    }
    if (kind.isBlob()) {
      blobCount++;
    }
    if (kind.hasExpiry()) {
      minExpiresAt = Math.min(minExpiresAt, expiresAt);
      maxExpiresAt = Math.max(maxExpiresAt, expiresAt);
      expiringCount++;
    }
  }

  /**
   * Index entry for the pending block: a key {@code >=} its last key and {@code <} the next block's
   * first key, shortened when possible (like leveldb's FindShortestSeparator).
   */
  private void addSeparatorIndexEntry(byte[] next, int nextOffset, int nextLength) {
    int la = lastKeyLength - SstFormat.KEY_TRAILER_LENGTH;
    int diff = Arrays.mismatch(lastKey, 0, la, next, nextOffset, nextOffset + nextLength);
    if (diff >= 0 && diff + 1 < la && diff < nextLength) {
      int d = lastKey[diff] & 0xFF;
      if (d < 0xFF && d + 1 < (next[nextOffset + diff] & 0xFF)) {
        addShortenedIndexEntry(diff, d + 1);
        return;
      }
    }
    addIndexEntry(lastKey, lastKeyLength);
  }

  /** Index entry for the last block: a short key {@code >=} its last key (FindShortSuccessor). */
  private void addSuccessorIndexEntry() {
    int la = lastKeyLength - SstFormat.KEY_TRAILER_LENGTH;
    for (int i = 0; i + 1 < la; i++) {
      int d = lastKey[i] & 0xFF;
      if (d != 0xFF) {
        addShortenedIndexEntry(i, d + 1);
        return;
      }
    }
    addIndexEntry(lastKey, lastKeyLength);
  }

  /** Adds {@code lastKey[0, prefix) + lastByte} with the maximal trailer. */
  private void addShortenedIndexEntry(int prefix, int lastByte) {
    int length = prefix + 1 + SstFormat.KEY_TRAILER_LENGTH;
    if (length > separator.length) {
      separator = new byte[Math.max(length, separator.length * 2)];
    }
    System.arraycopy(lastKey, 0, separator, 0, prefix);
    separator[prefix] = (byte) lastByte;
    Coding.putFixed64(separator, prefix + 1, SstFormat.MAX_TRAILER);
    addIndexEntry(separator, length);
  }

  private void addIndexEntry(byte[] key, int keyLength) {
    handleBuffer.reset();
    handleBuffer.writeVarint(pendingOffset);
    handleBuffer.writeVarint(pendingSize);
    indexBlock.add(key, keyLength, false, 0, handleBuffer.array(), 0, handleBuffer.size());
    pendingIndexEntry = false;
  }

  private void flushDataBlock() {
    dataBlock.finish();
    BlockHandle h = out.writeBlock(dataBlock.array(), dataBlock.size());
    if (dataBlock.size() > 2 * options.blockSize()) {
      dataBlock.resetAndShrink();
    } else {
      dataBlock.reset();
    }
    pendingOffset = h.offset();
    pendingSize = h.size();
    pendingIndexEntry = true;
    dataBlockCount++;
  }

  /**
   * Writes the filter, properties and index blocks and the footer, flushes the sink and returns the
   * table's properties. The builder is unusable afterwards.
   */
  public TableProperties finish() {
    checkOpen();
    try {
      if (!dataBlock.isEmpty()) {
        flushDataBlock();
      }
      if (pendingIndexEntry) {
        addSuccessorIndexEntry();
      }
      BlockHandle filter = out.writeUncompressed(bloom.finish());
      TableProperties partial = properties(0, 0, 0, 0);
      BlockHandle props = out.writeUncompressed(PropertiesCodec.encode(partial));
      indexBlock.finish();
      if (indexBlock.size() > SstFormat.MAX_BLOCK_LENGTH) {
        throw IsleException.invalidArgument(
            "the index of this table would be "
                + indexBlock.size()
                + " bytes, over the limit of "
                + SstFormat.MAX_BLOCK_LENGTH
                + "; write smaller tables or use larger blocks");
      }
      BlockHandle index = out.writeBlock(indexBlock.array(), indexBlock.size());
      byte[] footer = new byte[SstFormat.FOOTER_LENGTH];
      new Footer(filter, props, index, SstFormat.FORMAT_VERSION).encodeTo(footer, 0);
      out.write(footer, 0, footer.length);
      out.flush();
      state = State.FINISHED;
      out.close();
      return properties(out.offset(), filter.offset(), index.size(), filter.size());
    } catch (RuntimeException e) {
      fail();
      throw e;
    }
  }

  private TableProperties properties(
      long fileSize, long dataSize, long indexSize, long filterSize) {
    boolean empty = entryCount == 0;
    return new TableProperties(
        SstFormat.FORMAT_VERSION,
        empty ? new byte[0] : smallestKey.clone(),
        empty ? new byte[0] : Arrays.copyOf(lastKey, lastKeyLength - SstFormat.KEY_TRAILER_LENGTH),
        empty ? 0 : minSeq,
        empty ? 0 : maxSeq,
        entryCount,
        tombstoneCount,
        expiringCount == 0 ? 0 : minExpiresAt,
        expiringCount == 0 ? 0 : maxExpiresAt,
        options.minDataTimeMillis(),
        options.maxDataTimeMillis(),
        options.creationTimeMillis(),
        fileSize,
        rawKeyBytes,
        rawValueBytes,
        expiringCount,
        blobCount,
        dataBlockCount,
        dataSize,
        indexSize,
        filterSize,
        options.compression(),
        options.blockSize(),
        options.restartInterval(),
        options.bloomBitsPerKey(),
        seqIsOrdinal && !empty);
  }

  /**
   * Marks the table {@code seq-is-ordinal}: the caller gives its i-th entry sequence number i
   * (checked on every add), and the properties say so, so a reader finds an entry's place in the
   * table from its sequence number alone. Call before the first add.
   */
  public void markSeqIsOrdinal() {
    checkOpen();
    if (entryCount > 0) {
      throw IsleException.invalidArgument("markSeqIsOrdinal must be called before the first add");
    }
    seqIsOrdinal = true;
  }

  /** Entries added so far. */
  public long entryCount() {
    return entryCount;
  }

  /** Bytes written to the sink so far. */
  public long bytesWritten() {
    return out.offset();
  }

  /**
   * The file size if the table were finished now: bytes written, plus the open data block
   * (uncompressed), the index, the filter, the properties and the footer.
   */
  public long estimatedFileSize() {
    long pendingBlock =
        dataBlock.isEmpty() ? 0 : dataBlock.sizeEstimate() + SstFormat.BLOCK_TRAILER_LENGTH;
    return out.offset()
        + pendingBlock
        + indexBlock.sizeEstimate()
        + 32
        + bloom.estimatedSize()
        + 200
        + (smallestKey == null ? 0 : smallestKey.length + lastKeyLength)
        + 3L * SstFormat.BLOCK_TRAILER_LENGTH
        + SstFormat.FOOTER_LENGTH;
  }

  /**
   * Whether {@link #estimatedFileSize()} has reached {@link TableOptions#targetFileSize()}: a hint
   * for writers that split output into several tables (they should split only between user keys).
   */
  public boolean reachedTargetSize() {
    return estimatedFileSize() >= options.targetFileSize();
  }

  /** Heap bytes held by this builder's buffers (for tests and memory accounting). */
  long retainedBytes() {
    return dataBlock.retainedBytes()
        + indexBlock.retainedBytes()
        + bloom.retainedBytes()
        + out.retainedBytes()
        + lastKey.length
        + separator.length
        + (smallestKey == null ? 0 : smallestKey.length);
  }

  private void checkOpen() {
    if (state != State.OPEN) {
      throw state == State.FAILED
          ? new IsleException(
              IsleException.Kind.INTERNAL, "table builder failed earlier and cannot be used")
          : IsleException.closed("table builder");
    }
  }

  private void fail() {
    state = State.FAILED;
    out.close();
  }

  /** Releases codec resources; abandons the table unless {@link #finish()} was called. */
  @Override
  public void close() {
    if (state == State.OPEN) {
      state = State.CLOSED;
    }
    out.close();
  }
}
