package io.isledb.sst;

import io.isledb.util.Internal;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Native memory for the decoded blocks of one block cache, so that cached blocks are not on the
 * Java heap: a young collection then neither copies nor scans them (a cold lookup used to put a 16
 * KiB array on the heap that every young collection copied until it was tenured).
 *
 * <p>A slab allocator: memory comes in chunks of {@value #CHUNK} bytes (one {@code allocateDirect}
 * each; a larger one for a block that does not fit), every chunk cut into equal slots of one size
 * class. Size classes are 16 per power of two (at least 1 KiB apart), so a slot wastes at most 1/16
 * of its block. A freed slot goes back to its chunk's free list at once (explicit free on eviction,
 * no waiting for a collection); a chunk whose slots are all free is released when another size
 * class needs the memory, and every free chunk is released by {@link #close()}. A released chunk
 * goes to a pool of the process (at most {@value #POOL_CHUNKS} chunks) that the next arena takes
 * chunks from, as a native allocator keeps freed memory: a reader opened after another closed then
 * finds its memory mapped and touched instead of paying page faults and zeroing inside its first
 * lookups; beyond the pool, a chunk's native memory is freed at once (not at the next collection).
 * Chunks never exceed the capacity: when no slot can be had, {@link #allocate} returns null and the
 * caller keeps that block on the heap.
 *
 * <p>Callers free each slot exactly once, after its last read ({@link Block} counts its readers).
 * Thread-safe (one lock; a cold lookup takes it once, an eviction once).
 */
@Internal
public final class BlockArena implements AutoCloseable {
  /** The smallest chunk, in bytes. */
  static final int CHUNK = 1 << 20;

  /** Released chunks kept for reuse by the next arena, at most. */
  static final int POOL_CHUNKS = 64;

  private static final java.util.ArrayDeque<ByteBuffer> POOL = new java.util.ArrayDeque<>();

  private long capacity; // lowered when the JVM has no more direct memory to give
  private final Map<Integer, List<Chunk>> withFree = new HashMap<>(); // by slot size
  private final List<Chunk> empty = new ArrayList<>(); // chunks with no slot in use
  private long reserved; // bytes of all chunks
  private long used; // bytes of slots in use
  private boolean closed;

  /**
   * @param capacity the most native memory this arena holds, in bytes
   */
  public BlockArena(long capacity) {
    this.capacity = capacity;
  }

  /** One slot: {@link #buffer} holds the block's bytes ({@code [0, length)}, little-endian). */
  static final class Slot {
    final Chunk chunk;
    final int index;
    final ByteBuffer buffer;

    Slot(Chunk chunk, int index, ByteBuffer buffer) {
      this.chunk = chunk;
      this.index = index;
      this.buffer = buffer;
    }

    /** The slot's size in bytes (what it costs the arena). */
    int size() {
      return chunk.slotSize;
    }
  }

  static final class Chunk {
    final ByteBuffer memory;
    final int slotSize;
    final int[] free; // free slot indexes, a stack
    int freeCount;

    Chunk(int slotSize, ByteBuffer memory) {
      int slots = Math.max(1, CHUNK / slotSize);
      this.memory = memory;
      this.slotSize = slotSize;
      this.free = new int[slots];
      for (int i = 0; i < slots; i++) {
        free[i] = slots - 1 - i;
      }
      this.freeCount = slots;
    }

    int size() {
      return memory.capacity();
    }

    boolean unused() {
      return freeCount == free.length;
    }
  }

  /** The slot size for a block of {@code length} bytes: 16 size classes per power of two. */
  static int slotSize(int length) {
    int granule = Math.max(1024, Integer.highestOneBit(Math.max(1, length)) >>> 4);
    return (int) (((long) length + granule - 1) / granule * granule);
  }

  /**
   * A slot for {@code length} bytes, or null if the arena is closed or full (the caller keeps the
   * block on the heap instead).
   */
  synchronized Slot allocate(int length) {
    if (closed || length <= 0) {
      return null;
    }
    int size = slotSize(length);
    List<Chunk> chunks = withFree.get(size);
    Chunk c = chunks == null || chunks.isEmpty() ? null : chunks.get(chunks.size() - 1);
    if (c == null) {
      c = newChunk(size);
      if (c == null) {
        return null;
      }
      chunks = withFree.computeIfAbsent(size, k -> new ArrayList<>());
      chunks.add(c);
    }
    if (c.unused()) {
      empty.remove(c);
    }
    int index = c.free[--c.freeCount];
    if (c.freeCount == 0) {
      chunks.remove(chunks.size() - 1);
    }
    used += size;
    ByteBuffer b = c.memory.slice(index * size, length).order(ByteOrder.LITTLE_ENDIAN);
    return new Slot(c, index, b);
  }

  /** A new chunk of {@code slotSize} slots, releasing unused chunks to make room; null if full. */
  private Chunk newChunk(int slotSize) {
    long size = Math.max(CHUNK, slotSize);
    while (reserved + size > capacity && !empty.isEmpty()) {
      release(empty.get(empty.size() - 1));
    }
    if (reserved + size > capacity) {
      return null;
    }
    ByteBuffer memory = slotSize <= CHUNK ? takeChunk() : allocateDirect(slotSize);
    if (memory == null) {
      // The JVM's direct memory is (nearly) used up: stay at this size instead of asking again
      // for every block.
      capacity = reserved;
      return null;
    }
    Chunk c = new Chunk(slotSize, memory);
    reserved += c.size();
    empty.add(c);
    return c;
  }

  /** Returns {@code slot} to the arena; its bytes must not be read afterwards. */
  synchronized void free(Slot slot) {
    Chunk c = slot.chunk;
    c.free[c.freeCount++] = slot.index;
    used -= c.slotSize;
    if (c.freeCount == 1) {
      withFree.computeIfAbsent(c.slotSize, k -> new ArrayList<>()).add(c);
    }
    if (c.unused()) {
      if (closed) {
        release(c);
      } else {
        empty.add(c);
      }
    }
  }

  private void release(Chunk c) {
    empty.remove(c);
    List<Chunk> chunks = withFree.get(c.slotSize);
    if (chunks != null) {
      chunks.remove(c);
    }
    reserved -= c.size();
    giveBack(c.memory);
  }

  /** A chunk from the pool, or a new one. */
  private static ByteBuffer takeChunk() {
    synchronized (POOL) {
      ByteBuffer b = POOL.pollLast();
      if (b != null) {
        return b;
      }
    }
    return allocateDirect(CHUNK);
  }

  /**
   * A new direct buffer, or null if it would use the JVM's direct memory ({@code
   * -XX:MaxDirectMemorySize}, by default the maximum heap size) beyond seven eighths, leaving the
   * rest to other users (network buffers), or if the JVM refuses it.
   */
  private static ByteBuffer allocateDirect(int size) {
    if (DirectMemory.used() + size > DirectMemory.MAX - DirectMemory.MAX / 8) {
      return null;
    }
    try {
      return ByteBuffer.allocateDirect(size);
    } catch (OutOfMemoryError e) {
      return null;
    }
  }

  /** Returns a released chunk to the pool, or frees it if the pool is full. */
  private static void giveBack(ByteBuffer memory) {
    if (memory.capacity() == CHUNK) {
      synchronized (POOL) {
        if (POOL.size() < POOL_CHUNKS) {
          POOL.addLast(memory);
          return;
        }
      }
    }
    Cleaner.free(memory);
  }

  /** Bytes of released chunks the process keeps for the next arenas. */
  public static long pooledBytes() {
    synchronized (POOL) {
      return (long) POOL.size() * CHUNK;
    }
  }

  /** Bytes of native memory held (all chunks, slots in use or not). */
  public synchronized long reservedBytes() {
    return reserved;
  }

  /** Bytes of the slots in use. */
  public synchronized long usedBytes() {
    return used;
  }

  /**
   * Releases every chunk with no slot in use now, and every other one when its last slot is freed;
   * later {@link #allocate} calls return null.
   */
  @Override
  public synchronized void close() {
    closed = true;
    for (Chunk c : new ArrayList<>(empty)) {
      release(c);
    }
  }

  /** The JVM's direct memory limit and use, from the public management beans. */
  private static final class DirectMemory {
    static final long MAX = max();
    private static final java.lang.management.BufferPoolMXBean POOL = pool();

    static long used() {
      return POOL == null ? 0 : POOL.getMemoryUsed();
    }

    private static long max() {
      try {
        com.sun.management.HotSpotDiagnosticMXBean hs =
            java.lang.management.ManagementFactory.getPlatformMXBean(
                com.sun.management.HotSpotDiagnosticMXBean.class);
        long v = Long.parseLong(hs.getVMOption("MaxDirectMemorySize").getValue());
        if (v > 0) {
          return v;
        }
      } catch (RuntimeException | LinkageError e) {
        // not a HotSpot JVM: the default below
      }
      return Runtime.getRuntime().maxMemory();
    }

    private static java.lang.management.BufferPoolMXBean pool() {
      for (java.lang.management.BufferPoolMXBean b :
          java.lang.management.ManagementFactory.getPlatformMXBeans(
              java.lang.management.BufferPoolMXBean.class)) {
        if (b.getName().equals("direct")) {
          return b;
        }
      }
      return null;
    }
  }

  /**
   * Frees a direct buffer's native memory at once ({@code sun.misc.Unsafe.invokeCleaner}, in the
   * {@code jdk.unsupported} module); where that is not available the memory is freed when the
   * buffer is collected, as for any direct buffer.
   */
  private static final class Cleaner {
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
      Object unsafe = null;
      Method invoke = null;
      try {
        Class<?> c = Class.forName("sun.misc.Unsafe");
        Field f = c.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        unsafe = f.get(null);
        invoke = c.getMethod("invokeCleaner", ByteBuffer.class);
      } catch (ReflectiveOperationException | RuntimeException e) {
        unsafe = null;
        invoke = null;
      }
      UNSAFE = unsafe;
      INVOKE_CLEANER = invoke;
    }

    static void free(ByteBuffer b) {
      if (INVOKE_CLEANER == null) {
        return;
      }
      try {
        INVOKE_CLEANER.invoke(UNSAFE, b);
      } catch (ReflectiveOperationException | RuntimeException e) {
        // left to the collector, like any direct buffer
      }
    }
  }
}
