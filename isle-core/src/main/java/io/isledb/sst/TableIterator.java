package io.isledb.sst;

import io.isledb.IsleException;
import io.isledb.util.Internal;
import java.util.Arrays;

/**
 * Iterates over a table's entries in internal-key order: user key ascending, and for each user key
 * its versions newest (highest sequence number) first. Starts unpositioned: call {@link
 * #seekToFirst()} or {@link #seek}.
 *
 * <p>Accessors describe the current entry and are valid only while {@link #valid()}. The {@code
 * ...Array()} accessors expose internal buffers without copying: their contents change when the
 * iterator moves and must not be modified. {@link #userKey()}, {@link #value()} and {@link
 * #entry()} return copies.
 *
 * <p>Not thread-safe. Reads blocks lazily, one at a time (or several per request with {@link
 * ScanOptions#readaheadBytes()}); corruption found while moving throws {@link
 * io.isledb.CorruptionException}.
 */
@Internal
public final class TableIterator {
  /** Consecutive moves to the following block before automatic readahead starts. */
  static final int AUTO_READAHEAD_AFTER = 2;

  /** The first automatic readahead, in bytes; it doubles with every further read. */
  static final int AUTO_READAHEAD_INITIAL = 32 << 10;

  private final TableReader table;
  private final TableIndex index;
  private final ScanOptions options;
  private final BlockIterator it = new BlockIterator(true);
  private int blockIndex = -1;
  private Block currentBlock;
  private boolean valid;

  // Readahead buffer: file bytes [prefetchStart, prefetchStart + prefetch.length).
  private byte[] prefetch;
  private long prefetchStart;

  // Automatic readahead: moves to the following block in a row, and the current window (0 = off).
  private int sequentialMoves;
  private int autoWindow;

  // A fork's clip (TableReader.clip): no entry outside [clipFrom, clipTo) is ever valid.
  private final byte[] clipFrom;
  private final byte[] clipTo;

  TableIterator(TableReader table, ScanOptions options) {
    this.table = table;
    this.index = table.index();
    this.options = options;
    this.clipFrom = table.clipFrom();
    this.clipTo = table.clipTo();
  }

  /** Whether the iterator is positioned on an entry. */
  public boolean valid() {
    return valid;
  }

  /** Moves to the first entry (not valid if the table is empty). */
  public void seekToFirst() {
    valid = false;
    if (clipFrom != null) {
      seekInternal(clipFrom, SstFormat.MAX_TRAILER);
      return;
    }
    if (index.count() == 0) {
      return;
    }
    loadBlock(0);
    it.seekToFirst();
    skipEmptyBlocks();
  }

  // A move that throws (corruption, storage failure, closed table) leaves the iterator invalid:
  // every public move sets valid = false first and only skipEmptyBlocks() sets it back.

  /** Moves to the newest version of the first user key at or after {@code userKey}. */
  public void seek(byte[] userKey) {
    seekInternal(userKey, SstFormat.MAX_TRAILER);
  }

  /**
   * Moves to the first entry at or after {@code (userKey, seq)}: the newest version of {@code
   * userKey} with a sequence number at most {@code seq} if there is one, else the newest version of
   * the next user key.
   */
  public void seek(byte[] userKey, long seq) {
    if (seq < 0 || seq > SstFormat.MAX_SEQUENCE) {
      throw IsleException.invalidArgument("seq " + seq + " is out of range");
    }
    seekInternal(userKey, Keys.seekTrailer(seq));
  }

  private void seekInternal(byte[] userKey, long trailer) {
    valid = false;
    if (clipFrom != null && Arrays.compareUnsigned(userKey, clipFrom) < 0) {
      userKey = clipFrom;
      trailer = SstFormat.MAX_TRAILER; // every version of the clip's first key
    }
    int i = index.find(userKey, trailer);
    if (i == index.count()) {
      return;
    }
    loadBlock(i);
    it.seek(userKey, trailer);
    skipEmptyBlocks();
  }

  /** Moves to the next entry; the iterator must be valid. */
  public void next() {
    checkValid();
    valid = false;
    it.next();
    skipEmptyBlocks();
  }

  private void skipEmptyBlocks() {
    while (!it.valid()) {
      if (blockIndex + 1 >= index.count()) {
        valid = false;
        return;
      }
      loadBlock(blockIndex + 1);
      it.seekToFirst();
    }
    valid =
        clipTo == null
            || Arrays.compareUnsigned(it.key(), 0, it.userKeyLength(), clipTo, 0, clipTo.length)
                < 0;
  }

  private void loadBlock(int i) {
    table.checkOpen();
    if (i == blockIndex) {
      it.reset(currentBlock);
      return;
    }
    int readahead = options.readaheadBytes() > 0 ? options.readaheadBytes() : autoReadahead(i);
    Block b;
    if (readahead == 0) {
      b = table.dataBlock(i, options.fillCache());
    } else {
      b = table.cachedDataBlock(i);
      if (b == null) {
        b = readAhead(i, readahead);
        if (options.fillCache()) {
          table.cacheDataBlock(i, b);
        }
      }
    }
    currentBlock = b;
    blockIndex = i;
    it.reset(b);
  }

  /**
   * The readahead for loading block {@code i} under automatic readahead: 0 (one block per request)
   * until the iterator has moved on to the following block {@link #AUTO_READAHEAD_AFTER} times in a
   * row; any other move (a seek) starts over.
   */
  private int autoReadahead(int i) {
    if (options.autoReadaheadMaxBytes() == 0) {
      return 0;
    }
    if (i != blockIndex + 1) {
      sequentialMoves = 0;
      autoWindow = 0;
      return 0;
    }
    if (++sequentialMoves < AUTO_READAHEAD_AFTER) {
      return 0;
    }
    if (autoWindow == 0) {
      autoWindow = Math.min(AUTO_READAHEAD_INITIAL, options.autoReadaheadMaxBytes());
    }
    return autoWindow;
  }

  /** Block {@code i} from the readahead buffer, refilling it with one read if needed. */
  private Block readAhead(int i, int readahead) {
    long start = index.offset(i);
    long end = start + index.size(i) + SstFormat.BLOCK_TRAILER_LENGTH;
    if (prefetch == null || start < prefetchStart || end > prefetchStart + prefetch.length) {
      if (autoWindow > 0) {
        // The next refill of an automatic readahead reads twice as much, up to the maximum.
        autoWindow = (int) Math.min(options.autoReadaheadMaxBytes(), 2L * autoWindow);
      }
      long limit = start + Math.max(readahead, end - start);
      int last = i;
      while (last + 1 < index.count()) {
        long nextEnd =
            index.offset(last + 1) + index.size(last + 1) + SstFormat.BLOCK_TRAILER_LENGTH;
        if (nextEnd > limit) {
          break;
        }
        last++;
        end = nextEnd;
      }
      prefetch = null; // let the old buffer go before allocating the next
      prefetch = table.readRange(start, (int) (end - start));
      prefetchStart = start;
    }
    return table.decodeDataBlock(prefetch, (int) (start - prefetchStart), i);
  }

  private void checkValid() {
    if (!valid) {
      throw IsleException.invalidArgument("iterator is not positioned on an entry");
    }
  }

  /** A copy of the current user key. */
  public byte[] userKey() {
    checkValid();
    return Arrays.copyOf(it.key(), it.userKeyLength());
  }

  /**
   * The buffer holding the current user key in {@code [0, userKeyLength())}, not copied: it changes
   * when the iterator moves. Do not modify it.
   */
  public byte[] userKeyArray() {
    checkValid();
    return it.key();
  }

  /** Length of the current user key in {@link #userKeyArray()}. */
  public int userKeyLength() {
    checkValid();
    return it.userKeyLength();
  }

  /** Compares the current user key with {@code other} (unsigned bytewise), without copying. */
  public int compareUserKey(byte[] other) {
    checkValid();
    return Arrays.compareUnsigned(it.key(), 0, it.userKeyLength(), other, 0, other.length);
  }

  /** The current entry's sequence number. */
  public long seq() {
    checkValid();
    return it.seq();
  }

  /** The current entry's kind. */
  public ValueKind kind() {
    checkValid();
    return it.kind();
  }

  /** The current entry's expiry in epoch millis, or 0 if its kind does not expire. */
  public long expiresAtMillis() {
    checkValid();
    return it.expiresAtMillis();
  }

  /** A copy of the current value (empty for tombstones). */
  public byte[] value() {
    checkValid();
    int off = it.userValueOffset();
    return Arrays.copyOfRange(it.data(), off, off + it.userValueLength());
  }

  /**
   * The array holding the current value in {@code [valueOffset(), valueOffset() + valueLength())},
   * not copied: it belongs to a cached block. Do not modify it.
   */
  public byte[] valueArray() {
    checkValid();
    return it.data();
  }

  /** Offset of the current value in {@link #valueArray()}. */
  public int valueOffset() {
    checkValid();
    return it.userValueOffset();
  }

  /** Length of the current value. */
  public int valueLength() {
    checkValid();
    return it.userValueLength();
  }

  /** The current entry as a new {@link Entry} (copies key and value). */
  public Entry entry() {
    checkValid();
    return it.toEntry();
  }
}
