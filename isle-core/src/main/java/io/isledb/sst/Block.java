package io.isledb.sst;

import io.isledb.CorruptionException;
import io.isledb.util.Coding;
import io.isledb.util.Internal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * A decoded block of an SST (checksum verified, decompressed, restart array validated), as kept in
 * a {@link BlockCache}. Immutable and thread-safe. Its contents are internal; the only public
 * operation is {@link #memorySize()}, for cache weighers.
 *
 * <p>Layout (see {@code docs/FORMAT.md}): entries, then {@code numRestarts} fixed32 restart
 * offsets, then fixed32 {@code numRestarts}.
 *
 * <p>Its bytes are either a heap array ({@link #data}) or a slot of a {@link BlockArena} ({@link
 * #direct}, native memory, {@link #data} null). An arena block counts its users: the cache holds
 * one reference from insertion to eviction, and a reader {@link #retain()}s it before reading and
 * {@link #release()}s it after, so the slot is freed (and reused) only after the last read. A block
 * that cannot be retained any more was evicted and freed meanwhile: the reader reads it again.
 */
@Internal
public final class Block {
  private static final VarHandle REFS;

  static {
    try {
      REFS = MethodHandles.lookup().findVarHandle(Block.class, "refs", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final byte[] data; // null for an arena block
  final ByteBuffer direct; // the arena slot's bytes, or null for a heap block
  private final BlockArena.Slot slot;
  private final BlockArena arena;

  @SuppressWarnings("unused") // through REFS
  private volatile int refs = 1;

  final int length;
  final int restartsOffset;
  final int numRestarts;
  final String table;
  final long fileOffset;
  private final String
      what; // null for data block {@link #index}: the name is built on failure only
  private final int index;

  /**
   * Validates the restart array of {@code data[0, length)}.
   *
   * @throws CorruptionException if the restart array is malformed
   */
  Block(byte[] data, int length, String table, long fileOffset, String what) {
    this(data, length, table, fileOffset, what, -1);
  }

  /** Data block {@code index} of its table: like the other constructor, named "data block i". */
  Block(byte[] data, int length, String table, long fileOffset, int index) {
    this(data, length, table, fileOffset, null, index);
  }

  private Block(byte[] data, int length, String table, long fileOffset, String what, int index) {
    this(data, null, null, length, table, fileOffset, what, index);
  }

  /**
   * Data block {@code index} decoded into {@code slot} of {@code arena}: holds the one reference of
   * whoever caches it. On a corruption the slot is freed before the exception propagates.
   */
  Block(
      BlockArena arena,
      BlockArena.Slot slot,
      int length,
      String table,
      long fileOffset,
      int index) {
    this(null, arena, slot, length, table, fileOffset, null, index);
  }

  private Block(
      byte[] data,
      BlockArena arena,
      BlockArena.Slot slot,
      int length,
      String table,
      long fileOffset,
      String what,
      int index) {
    this.data = data;
    this.arena = arena;
    this.slot = slot;
    this.direct = slot == null ? null : slot.buffer;
    this.length = length;
    this.table = table;
    this.fileOffset = fileOffset;
    this.what = what;
    this.index = index;
    try {
      numRestarts = validate();
    } catch (RuntimeException e) {
      if (slot != null) {
        arena.free(slot);
      }
      throw e;
    }
    restartsOffset = length - 4 - 4 * numRestarts;
  }

  /** Checks the restart array; returns the number of restart points. */
  private int validate() {
    if (length < 4) {
      throw corruption("is " + length + " bytes, too short for a restart count");
    }
    long count = Integer.toUnsignedLong(fixed32(length - 4));
    if (count < 1 || count > (length - 4) / 4) {
      throw corruption("restart count " + count + " does not fit in " + length + " bytes");
    }
    int numRestarts = (int) count;
    int restartsOffset = length - 4 - 4 * numRestarts;
    int prev = -1;
    for (int i = 0; i < numRestarts; i++) {
      int r = fixed32(restartsOffset + 4 * i);
      boolean ok =
          i == 0
              ? r == 0 && (restartsOffset > 0 || numRestarts == 1)
              : r > prev && r < restartsOffset;
      if (!ok) {
        throw corruption(
            "restart point "
                + i
                + " is "
                + Integer.toUnsignedString(r)
                + " (previous "
                + prev
                + ", entries end at "
                + restartsOffset
                + ")");
      }
      prev = r;
    }
    return numRestarts;
  }

  int restartPoint(int i) {
    return fixed32(restartsOffset + 4 * i);
  }

  private int fixed32(int offset) {
    return data != null ? Coding.getFixed32(data, offset) : direct.getInt(offset);
  }

  /** Whether the block's bytes are in native memory ({@link #direct}) rather than {@link #data}. */
  boolean isDirect() {
    return data == null;
  }

  /**
   * Takes a reference before reading an arena block: false if it was freed meanwhile (evicted and
   * released by its last reader), in which case it must not be read. Always true for heap blocks.
   */
  boolean retain() {
    if (slot == null) {
      return true;
    }
    for (int r = (int) REFS.getVolatile(this); r > 0; r = (int) REFS.getVolatile(this)) {
      if (REFS.compareAndSet(this, r, r + 1)) {
        return true;
      }
    }
    return false;
  }

  /** Drops a reference ({@link #retain()}, or the cache's at eviction); the last frees the slot. */
  public void release() {
    if (slot != null && (int) REFS.getAndAdd(this, -1) == 1) {
      arena.free(slot);
    }
  }

  /**
   * This block if it is on the heap, else a heap copy of it (for readers that keep a block while
   * they iterate it), or null if it was freed meanwhile.
   */
  Block onHeap() {
    if (data != null) {
      return this;
    }
    if (!retain()) {
      return null;
    }
    try {
      return heapCopy();
    } finally {
      release();
    }
  }

  /** A copy of this heap block in a slot of {@code arena}, or this block if it has no slot. */
  Block copyInto(BlockArena arena) {
    BlockArena.Slot s = arena.allocate(length);
    if (s == null) {
      return this;
    }
    s.buffer.put(0, data, 0, length);
    return new Block(null, arena, s, length, table, fileOffset, what, index);
  }

  /** A heap copy of this block. */
  Block heapCopy() {
    byte[] copy = new byte[length];
    direct.get(0, copy, 0, length);
    return new Block(copy, length, table, fileOffset, what, index);
  }

  /** Whether the block has no entries. */
  boolean isEmpty() {
    return restartsOffset == 0;
  }

  /** Approximate bytes held by this block (heap or arena), for sizing caches. */
  public int memorySize() {
    return (data != null ? data.length : slot.size()) + 64;
  }

  CorruptionException corruption(String problem) {
    return Corruption.at(table, what(), fileOffset, problem);
  }

  /** What the block is, for messages ("index block", "data block 3"). */
  String what() {
    return what != null ? what : BlockDecoder.dataBlock(index);
  }
}
