package io.isledb.db.read;

import io.isledb.CorruptionException;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.BlockSource;
import io.isledb.storage.RangedReads;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a table's bytes come from: a ranged read from storage, or the local disk cache once the
 * whole file was downloaded (small tables at once, others when they turn hot). While a table is
 * being opened, its tail (meta section) is served from one prefetched read.
 */
final class TableSource implements BlockSource, AutoCloseable {
  private final SstMeta meta;
  private final ObjectStore store;
  private final DiskCache disk;
  private final String diskKey; // the table's id in the disk cache
  private final Executor downloader;
  private final int hotReads;
  private final ReaderCounters counters;
  private final RangedReads.Handle ranges;
  private final AtomicInteger remoteReads = new AtomicInteger();
  private final AtomicBoolean downloading = new AtomicBoolean();
  private volatile FileChannel local;
  private volatile DiskCache.CachedFile cached;
  private volatile byte[] prefetch;
  private volatile long prefetchOffset;
  private volatile byte[] whole;
  private volatile boolean closed;

  TableSource(
      SstMeta meta,
      String diskKey,
      ObjectStore store,
      DiskCache disk,
      Executor downloader,
      int hotReads,
      ReaderCounters counters) {
    this.meta = meta;
    this.diskKey = diskKey;
    this.store = store;
    this.disk = disk;
    this.downloader = downloader;
    this.hotReads = hotReads;
    this.counters = counters;
    this.ranges = RangedReads.open(store, meta.objectName(), meta.size());
  }

  /** Uses the disk cache if it has the table. */
  void attachCached() {
    if (disk == null) {
      return;
    }
    DiskCache.CachedFile f = disk.lookup(diskKey, meta.size());
    if (f != null) {
      counters.diskHits.increment();
      openLocal(f);
    } else {
      counters.diskMisses.increment();
    }
  }

  /** Downloads the whole table now (small tables): one request serves open and every read. */
  void downloadNow() {
    byte[] data = remote(0, (int) meta.size());
    counters.downloads.increment();
    counters.downloadedBytes.add(data.length);
    whole = data;
    if (disk != null) {
      DiskCache.CachedFile f = disk.store(diskKey, data);
      if (f != null) {
        openLocal(f);
        whole = null;
      }
    }
  }

  /** Reads the meta section in one request so opening the table costs exactly one read. */
  void prefetchTail() {
    if (local != null || whole != null) {
      return;
    }
    // Cover both the meta section (from the manifest) and the reader's fixed-size first tail
    // read, so opening costs exactly one request whatever the table's shape.
    long off = Math.max(0, meta.size() - io.isledb.sst.SstFormat.DEFAULT_TAIL_READ_LENGTH);
    if (meta.tailOffset() > 0 && meta.tailOffset() < off) {
      off = meta.tailOffset();
    }
    prefetch = remote(off, (int) (meta.size() - off));
    prefetchOffset = off;
  }

  void dropPrefetch() {
    prefetch = null;
  }

  boolean isLocal() {
    return local != null || whole != null;
  }

  /** The prefetched tail or the downloaded table: the reader's open reads its metadata there. */
  @Override
  public Tail heldTail() {
    byte[] pf = prefetch;
    if (pf != null && prefetchOffset + pf.length == meta.size()) {
      return new Tail(prefetchOffset, pf);
    }
    byte[] w = whole;
    return w != null && w.length == meta.size() ? new Tail(0, w) : null;
  }

  @Override
  public byte[] read(long offset, int length) {
    checkBounds(offset, length);
    byte[] out = new byte[length];
    readInto(offset, length, out);
    return out;
  }

  @Override
  public int readInto(long offset, int length, byte[] dst) {
    checkBounds(offset, length);
    byte[] pf = prefetch;
    if (pf != null && offset >= prefetchOffset && offset + length <= prefetchOffset + pf.length) {
      System.arraycopy(pf, (int) (offset - prefetchOffset), dst, 0, length);
      return length;
    }
    byte[] w = whole;
    if (w != null) {
      System.arraycopy(w, (int) offset, dst, 0, length);
      return length;
    }
    FileChannel ch = local;
    if (ch != null) {
      try {
        readLocal(ch, offset, ByteBuffer.wrap(dst, 0, length));
        return length;
      } catch (IOException e) {
        dropLocal(e);
      }
    }
    int n = ranges.readInto(offset, length, dst);
    if (n < 0) {
      throw new MissingTableException(meta, store);
    }
    checkLength(offset, length, n);
    counters.remoteReads.increment();
    if (disk != null && remoteReads.incrementAndGet() >= hotReads) {
      scheduleDownload();
    }
    return n;
  }

  private void checkBounds(long offset, int length) {
    if (offset < 0 || length < 0 || offset + length > meta.size()) {
      throw new CorruptionException(
          "read of ["
              + offset
              + ", "
              + (offset + length)
              + ") outside table "
              + meta.id()
              + " of "
              + meta.size()
              + " bytes");
    }
  }

  private byte[] remote(long offset, int length) {
    Optional<byte[]> b = ranges.read(offset, length);
    if (b.isEmpty()) {
      throw new MissingTableException(meta, store);
    }
    byte[] data = b.get();
    checkLength(offset, length, data.length);
    counters.remoteReads.increment();
    return data;
  }

  /** The local copy is unusable; reads fall back to storage. */
  private void dropLocal(IOException e) {
    local = null;
    DiskCache.CachedFile f = cached;
    if (f != null) {
      disk.drop(f, e.toString());
    }
  }

  private void checkLength(long offset, int length, int read) {
    if (read != length) {
      throw new CorruptionException(
          "table "
              + meta.objectName()
              + " is shorter than its manifest size "
              + meta.size()
              + " (read "
              + read
              + " of "
              + length
              + " bytes at "
              + offset
              + ")");
    }
  }

  private static void readLocal(FileChannel ch, long offset, ByteBuffer buf) throws IOException {
    long pos = offset;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new IOException("unexpected end of cached file at " + pos);
      }
      pos += n;
    }
  }

  private void scheduleDownload() {
    if (local != null || closed || !downloading.compareAndSet(false, true)) {
      return;
    }
    downloader.execute(
        () -> {
          try {
            if (!closed && local == null) {
              byte[] data = remote(0, (int) meta.size());
              counters.downloads.increment();
              counters.downloadedBytes.add(data.length);
              DiskCache.CachedFile f = disk.store(diskKey, data);
              if (f != null && !closed) {
                openLocal(f);
              }
            }
          } catch (IsleException e) {
            // Reads keep going to storage; a later read may try again.
            downloading.set(false);
          }
        });
  }

  private void openLocal(DiskCache.CachedFile f) {
    try {
      FileChannel ch = FileChannel.open(f.path, StandardOpenOption.READ);
      cached = f;
      local = ch;
      counters.localOpens.increment();
    } catch (IOException e) {
      disk.drop(f, e.toString());
    }
  }

  @Override
  public void close() {
    closed = true;
    ranges.close();
    FileChannel ch = local;
    local = null;
    whole = null;
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }
}
