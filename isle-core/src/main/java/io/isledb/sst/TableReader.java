package io.isledb.sst;

import io.isledb.IsleException;
import io.isledb.util.Internal;
import java.util.Arrays;

/**
 * Reads one SST through a {@link BlockSource}. Opening costs one read of the file's tail (the last
 * {@value SstFormat#DEFAULT_TAIL_READ_LENGTH} bytes, or the whole file if smaller) holding the
 * filter, properties and index blocks and the footer, and a second read only if those are larger.
 * The index, the bloom filter and the properties then stay in memory ({@link #memoryFootprint()}).
 *
 * <p>A point lookup ({@link #get}) consults the key range and the bloom filter first (no I/O), then
 * the index, then reads at most one data block, through the {@link BlockCache}.
 *
 * <p>Everything read is verified (checksums, structure, bounds); any problem is a {@link
 * io.isledb.CorruptionException} naming the table and the place. Thread-safe: any number of threads
 * may call {@link #get} and create iterators concurrently (each iterator is for one thread).
 */
@Internal
public final class TableReader implements AutoCloseable {
  /** Stored blocks up to this size are read into a per-thread buffer ({@link #readDataBlock}). */
  private static final int MAX_SCRATCH = 1 << 20;

  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[0]);

  /**
   * Point lookups' block iterators, one per thread: a lookup never starts another on the same
   * thread before it is done with its iterator, and the iterator's key buffer then lives as long as
   * the thread instead of being allocated for every lookup.
   */
  private static final ThreadLocal<BlockIterator> POINT =
      ThreadLocal.withInitial(() -> new BlockIterator(true));

  /** Point lookups in blocks held in native memory, one per thread (as {@link #POINT}). */
  private static final ThreadLocal<DirectLookup> DIRECT =
      ThreadLocal.withInitial(DirectLookup::new);

  private final String name;
  private final long fileSize;
  private final BlockSource source;
  private final BlockCache cache;
  private final long cacheId;
  private final TableIndex index;
  private final BloomFilter filter;
  private final TableProperties properties;
  private final java.util.function.Function<BlockCacheKey, Block> loader;
  private final BlockArena arena; // where cached blocks are decoded, or null for the heap
  private volatile boolean closed;

  private TableReader(
      String name,
      long fileSize,
      BlockSource source,
      BlockCache cache,
      long cacheId,
      TableIndex index,
      BloomFilter filter,
      TableProperties properties) {
    this.name = name;
    this.fileSize = fileSize;
    this.source = source;
    this.cache = cache;
    this.cacheId = cacheId;
    this.index = index;
    this.filter = filter;
    this.properties = properties;
    // One loader per table, so a lookup that finds its block cached allocates no function for it.
    this.loader = cache.loaderFor(this::loadDataBlock);
    this.arena = cache.arena();
  }

  /**
   * Opens a table.
   *
   * @param name the table's name, used in messages only
   * @param fileSize the table's length in bytes (from the manifest or a stat)
   * @param source where the bytes come from
   * @param cache the shared block cache ({@link BlockCache#none()} for none)
   * @param cacheId this table's identity in {@code cache}: unique among the tables sharing it
   * @throws io.isledb.CorruptionException if the file is not a valid SST
   */
  public static TableReader open(
      String name, long fileSize, BlockSource source, BlockCache cache, long cacheId) {
    if (name == null || source == null || cache == null) {
      throw IsleException.invalidArgument("name, source and cache must not be null");
    }
    if (fileSize < SstFormat.FOOTER_LENGTH) {
      throw Corruption.of(
          name,
          "file is "
              + fileSize
              + " bytes, too small for the "
              + SstFormat.FOOTER_LENGTH
              + "-byte footer");
    }
    BlockSource.Tail held = source.heldTail();
    byte[] tail;
    long tailStart;
    if (held != null
        && held.bytes().length >= SstFormat.FOOTER_LENGTH
        && held.offset() >= 0
        && held.offset() + held.bytes().length == fileSize) {
      // Read when the table was located (a prefetch covering its metadata): no copy of it.
      tail = held.bytes();
      tailStart = held.offset();
    } else {
      int length = (int) Math.min(fileSize, SstFormat.DEFAULT_TAIL_READ_LENGTH);
      tailStart = fileSize - length;
      tail = read(source, name, fileSize, tailStart, length, "file tail");
    }
    int tailLength = tail.length;
    long footerOffset = fileSize - SstFormat.FOOTER_LENGTH;
    Footer footer = Footer.decode(tail, tailLength - SstFormat.FOOTER_LENGTH, footerOffset, name);

    // The filter, properties and index blocks are contiguous: [metaStart, footerOffset).
    long metaStart = footer.filter().offset();
    byte[] meta;
    int metaBase; // file offset metaStart is at meta[metaBase]
    if (metaStart >= tailStart) {
      meta = tail;
      metaBase = (int) (metaStart - tailStart);
    } else {
      long missing = tailStart - metaStart;
      // At most 3 blocks of MAX_BLOCK_LENGTH + trailer: Footer.decode bounded each handle.
      byte[] head = read(source, name, fileSize, metaStart, (int) missing, "metadata blocks");
      meta = Arrays.copyOf(head, (int) missing + tailLength);
      System.arraycopy(tail, 0, meta, (int) missing, tailLength);
      metaBase = 0;
    }

    BlockHandle fh = footer.filter();
    BloomFilter filter = filter(meta, metaBase, fh, metaStart, name);

    BlockHandle ph = footer.properties();
    BlockDecoder.Contents propsContents =
        decode(meta, metaBase, ph, metaStart, name, "properties block");
    TableProperties props =
        PropertiesCodec.decode(
            propsContents.data(), propsContents.length(), footer, fileSize, name);

    BlockHandle ih = footer.index();
    BlockDecoder.Contents indexContents =
        decode(meta, metaBase, ih, metaStart, name, "index block");
    Block indexBlock =
        new Block(indexContents.data(), indexContents.length(), name, ih.offset(), "index block");
    TableIndex index = TableIndex.parse(indexBlock, fh.offset(), name, ih.offset());
    if (index.count() != props.dataBlockCount()) {
      throw Corruption.of(
          name,
          "index lists "
              + index.count()
              + " data blocks but the properties say "
              + props.dataBlockCount());
    }
    return new TableReader(name, fileSize, source, cache, cacheId, index, filter, props);
  }

  /**
   * The filter of the metadata bytes {@code meta}. An uncompressed filter that is at least half of
   * them (the usual case: filters of 10 bits per key dominate a table's metadata) is read in place,
   * keeping {@code meta}, rather than copied: opening a table, as a restored state backend's first
   * access does for each table its key may be in, then copies none of its largest block.
   */
  private static BloomFilter filter(
      byte[] meta, int metaBase, BlockHandle fh, long metaStart, String name) {
    int off = metaBase + (int) (fh.offset() - metaStart);
    int size = (int) fh.size();
    if (2L * size >= meta.length
        && BlockDecoder.verify(meta, off, size, name, fh.offset(), "filter block")
            == Compression.NONE) {
      return BloomFilter.decode(meta, off, size, name, fh.offset());
    }
    BlockDecoder.Contents c = decode(meta, metaBase, fh, metaStart, name, "filter block");
    return BloomFilter.decode(c.data(), c.length(), name, fh.offset());
  }

  private static BlockDecoder.Contents decode(
      byte[] meta, int metaBase, BlockHandle h, long metaStart, String name, String what) {
    int off = metaBase + (int) (h.offset() - metaStart);
    BlockDecoder.Contents c =
        BlockDecoder.decode(meta, off, (int) h.size(), name, h.offset(), what);
    // Keep only the block's bytes, not the whole tail buffer.
    return c.data() == meta
        ? new BlockDecoder.Contents(Arrays.copyOfRange(meta, off, off + c.length()), c.length())
        : c;
  }

  /** One read of exactly {@code length} bytes at {@code offset}, or corruption. */
  static byte[] read(
      BlockSource source, String name, long fileSize, long offset, int length, String what) {
    byte[] b = source.read(offset, length);
    if (b == null || b.length != length) {
      throw truncated(name, fileSize, offset, length, what, b == null ? -1 : b.length);
    }
    return b;
  }

  private static io.isledb.CorruptionException truncated(
      String name, long fileSize, long offset, int length, String what, int got) {
    return Corruption.at(
        name,
        what,
        offset,
        "truncated: reading "
            + length
            + " bytes of a "
            + fileSize
            + "-byte file returned "
            + (got < 0 ? "nothing" : got + " bytes"));
  }

  private volatile byte[] clipFrom;
  private volatile byte[] clipTo;

  /**
   * Restricts this reader to the keys {@code [from, to)} (null: unbounded), a fork's clip
   * (docs/PROTOCOL.md section 9): {@link #mayContain} and {@link #get} see no key outside it and
   * iterators never stop on one. Call once, right after {@link #open}, before any read.
   */
  public TableReader clip(byte[] from, byte[] to) {
    this.clipFrom = from;
    this.clipTo = to;
    return this;
  }

  byte[] clipFrom() {
    return clipFrom;
  }

  byte[] clipTo() {
    return clipTo;
  }

  /** The table's name, as given to {@link #open}. */
  public String name() {
    return name;
  }

  /** The table's length in bytes. */
  public long fileSize() {
    return fileSize;
  }

  /** The table's properties. */
  public TableProperties properties() {
    return properties;
  }

  /**
   * False only if the table certainly holds no entry for {@code userKey} (outside its key range, or
   * rejected by the bloom filter). No I/O.
   */
  public boolean mayContain(byte[] userKey) {
    if (properties.entryCount() == 0
        || Arrays.compareUnsigned(userKey, properties.smallestKey()) < 0
        || Arrays.compareUnsigned(userKey, properties.largestKey()) > 0) {
      return false;
    }
    if ((clipFrom != null && Arrays.compareUnsigned(userKey, clipFrom) < 0)
        || (clipTo != null && Arrays.compareUnsigned(userKey, clipTo) >= 0)) {
      return false;
    }
    return filter.mayContain(userKey);
  }

  /** The newest version of {@code userKey} (tombstones included), or null if there is none. */
  public Entry get(byte[] userKey) {
    return get(userKey, SstFormat.MAX_SEQUENCE);
  }

  /**
   * The newest version of {@code userKey} with a sequence number at most {@code maxSeq} (tombstones
   * included), or null. Costs no I/O if the bloom filter rejects the key, and at most one block
   * read otherwise. The entry's {@link Entry#userKey()} is {@code userKey} itself (equal bytes).
   */
  public Entry get(byte[] userKey, long maxSeq) {
    checkOpen();
    if (maxSeq < 0 || maxSeq > SstFormat.MAX_SEQUENCE) {
      throw IsleException.invalidArgument("maxSeq " + maxSeq + " is out of range");
    }
    if (!mayContain(userKey)) {
      return null;
    }
    long trailer = Keys.seekTrailer(maxSeq);
    int i = index.find(userKey, trailer);
    if (i == index.count()) {
      return null;
    }
    Block b = pointBlock(i);
    try {
      return find(b, userKey, trailer);
    } finally {
      b.release();
    }
  }

  /**
   * Data block {@code i} for point lookups, from the cache (loaded into it on a miss). A block in
   * native memory is returned retained: the caller {@link Block#release()}s it when done (a no-op
   * for heap blocks). One that was evicted and freed between the cache returning it and the retain
   * is read again, onto the heap.
   */
  Block pointBlock(int i) {
    Block b = cache.getOrLoad(new BlockCacheKey(cacheId, index.offset(i)), loader);
    return !b.isDirect() || b.retain() ? b : readDataBlock(i, false);
  }

  /**
   * The newest entry of {@code userKey} at or below the seek {@code trailer} in block {@code b}
   * (from {@link #pointBlock}), or null; its key is {@code userKey} itself, its value a copy.
   */
  Entry find(Block b, byte[] userKey, long trailer) {
    if (b.isDirect()) {
      return DIRECT.get().get(b, userKey, trailer);
    }
    BlockIterator it = POINT.get();
    try {
      it.reset(b);
      it.seek(userKey, trailer);
      if (!it.valid()
          || !Arrays.equals(it.key(), 0, it.userKeyLength(), userKey, 0, userKey.length)) {
        return null;
      }
      // The found user key equals userKey: the entry shares the caller's array, no copy.
      return it.toEntry(userKey);
    } finally {
      it.release();
    }
  }

  /** An iterator that fills the block cache and reads one block per request. */
  public TableIterator iterator() {
    return iterator(ScanOptions.defaults());
  }

  /** An iterator reading blocks as {@code options} say. */
  public TableIterator iterator(ScanOptions options) {
    checkOpen();
    return new TableIterator(this, options);
  }

  /** Heap bytes held while open: index, bloom filter and properties. */
  public long memoryFootprint() {
    return index.memorySize()
        + filter.memorySize()
        + properties.smallestKey().length
        + properties.largestKey().length
        + 512;
  }

  /** Marks the reader closed; later lookups and iterator moves throw CLOSED. */
  @Override
  public void close() {
    closed = true;
  }

  void checkOpen() {
    if (closed) {
      throw IsleException.closed("sst " + name);
    }
  }

  TableIndex index() {
    return index;
  }

  /**
   * One index entry, for inspection tools ({@code isle sst-dump}).
   *
   * @param separatorKey the user key of the block's separator (at or after its last key)
   * @param separatorSeq the separator's sequence number ({@code 2^56 - 1} for a shortened one)
   * @param offset the data block's offset in the file
   * @param size the data block's stored size, trailer excluded
   */
  public record IndexEntry(byte[] separatorKey, long separatorSeq, long offset, int size) {}

  /** The index, one entry per data block in file order (no I/O: it was read by {@link #open}). */
  public java.util.List<IndexEntry> indexEntries() {
    java.util.List<IndexEntry> out = new java.util.ArrayList<>(index.count());
    for (int i = 0; i < index.count(); i++) {
      byte[] sep = index.separator(i);
      int userLen = sep.length - SstFormat.KEY_TRAILER_LENGTH;
      long trailer = io.isledb.util.Coding.getFixed64(sep, userLen);
      out.add(
          new IndexEntry(
              Arrays.copyOf(sep, userLen), trailer >>> 8, index.offset(i), index.size(i)));
    }
    return out;
  }

  BloomFilter filter() {
    return filter;
  }

  /**
   * Data block {@code i} on the heap, from the cache or storage; cached on a miss if {@code
   * fillCache}. A block the cache keeps in native memory is copied: iterators keep their block
   * while they move through it, and an eviction must not free it under them.
   */
  Block dataBlock(int i, boolean fillCache) {
    checkOpen();
    BlockCacheKey key = new BlockCacheKey(cacheId, index.offset(i));
    if (fillCache) {
      return onHeap(cache.getOrLoad(key, loader), i);
    }
    Block b = cache.get(key);
    return b != null ? onHeap(b, i) : readDataBlock(i, false);
  }

  /** {@code b} (block {@code i}) on the heap, read again if it was freed meanwhile. */
  private Block onHeap(Block b, int i) {
    Block h = b.onHeap();
    return h != null ? h : readDataBlock(i, false);
  }

  /** {@link #loader}: the data block {@code key} names (a block of this table), for the cache. */
  private Block loadDataBlock(BlockCacheKey key) {
    int i = index.blockAt(key.blockOffset());
    if (i < 0) {
      throw IsleException.internal(
          "sst " + name + " has no data block at offset " + key.blockOffset());
    }
    return readDataBlock(i, true);
  }

  /**
   * Reads data block {@code i} into this thread's scratch buffer and decodes it from there: into a
   * slot of the cache's {@link #arena} if {@code forCache} and it has one, else into an array of
   * its own, so the stored bytes need no array of their own. Blocks larger than {@link
   * #MAX_SCRATCH} get one.
   */
  private Block readDataBlock(int i, boolean forCache) {
    long offset = index.offset(i);
    int size = index.size(i);
    int length = size + SstFormat.BLOCK_TRAILER_LENGTH;
    if (length > MAX_SCRATCH) {
      return decodeDataBlock(read(source, name, fileSize, offset, length, "data block"), 0, i);
    }
    byte[] buf = SCRATCH.get();
    if (buf.length < length) {
      buf = new byte[Math.max(length, Math.min(MAX_SCRATCH, 2 * buf.length))];
      SCRATCH.set(buf);
    }
    int n = source.readInto(offset, length, buf);
    if (n != length) {
      throw truncated(name, fileSize, offset, length, "data block", n);
    }
    if (forCache && arena != null) {
      Block b = BlockDecoder.decodeDataInto(arena, buf, 0, size, name, offset, i);
      if (b != null) {
        return b;
      }
    }
    BlockDecoder.Contents c = BlockDecoder.decodeData(buf, 0, size, name, offset, i);
    byte[] data = c.data() == buf ? Arrays.copyOf(buf, c.length()) : c.data();
    return new Block(data, c.length(), name, offset, i);
  }

  /** Decodes data block {@code i} stored in {@code buf} at {@code off}. */
  Block decodeDataBlock(byte[] buf, int off, int i) {
    long offset = index.offset(i);
    BlockDecoder.Contents c = BlockDecoder.decodeData(buf, off, index.size(i), name, offset, i);
    return new Block(c.data(), c.length(), name, offset, i);
  }

  /** Block cache access for iterators: the cached block {@code i} on the heap, or null. */
  Block cachedDataBlock(int i) {
    Block b = cache.get(new BlockCacheKey(cacheId, index.offset(i)));
    return b == null ? null : onHeap(b, i);
  }

  /** Caches heap block {@code i} (read ahead by an iterator), copied into the arena if any. */
  void cacheDataBlock(int i, Block b) {
    Block cached = arena != null && !b.isDirect() ? b.copyInto(arena) : b;
    cache.put(new BlockCacheKey(cacheId, index.offset(i)), cached);
  }

  byte[] readRange(long offset, int length) {
    checkOpen();
    return read(source, name, fileSize, offset, length, "data blocks");
  }
}
