package io.isledb.db.read;

import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.ObjectUpload;
import io.isledb.ReaderOptions;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;
import io.isledb.util.Internal;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer's local read path ({@code WriterOptions.cache}): the same {@link Tables} a reader has
 * (open tables with index and bloom filter in memory, block cache, disk cache). Tables the writer
 * flushes are <em>written through</em>: every byte uploaded is also written to a temporary file in
 * the disk cache, which becomes the cached copy when the upload completes, and each table is opened
 * from that copy as soon as it is committed. Reading what the writer just flushed therefore never
 * downloads it (a state backend's working set is what it wrote last).
 *
 * <p>The local copy is best effort: a local I/O failure drops it (logged) and never fails the
 * upload. Thread-safe (both flush threads write through at once).
 */
@Internal
public final class WriterCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WriterCache.class);

  private final Path dir;
  private final boolean ownsDir;
  private final Tables tables;

  public WriterCache(ObjectStore store, ReaderOptions options, io.isledb.db.Resources resources) {
    try {
      if (options.cacheDir() == null) {
        this.dir = Files.createTempDirectory("isledb-writer-");
        this.ownsDir = true;
      } else {
        this.dir = Files.createDirectories(options.cacheDir());
        this.ownsDir = false;
      }
    } catch (IOException e) {
      throw IsleException.unavailable(
          "cannot create writer cache directory " + options.cacheDir(), e);
    }
    this.tables = new Tables(store, options, dir, resources);
  }

  /** The open tables, shared with the writer's reads. */
  public Tables tables() {
    return tables;
  }

  /** Whether flushed tables are copied to the disk cache ({@code diskCacheBytes > 0}). */
  public boolean writesThrough() {
    return tables.disk() != null;
  }

  /** {@code upload} of table {@code id}, also copying its bytes to the disk cache. */
  public ObjectUpload writeThrough(String id, ObjectUpload upload) {
    DiskCache disk = tables.disk();
    return disk == null ? upload : new TeeUpload(tables.diskKey(id), upload, disk);
  }

  /**
   * After the commit of {@code committed}: opens them (from their local copies, no request) so
   * their index and filter are in memory, and closes the open tables {@code head} no longer has
   * (compacted away), so the writer keeps only what its head can read.
   */
  public void committed(List<SstMeta> committed, ManifestState head) {
    Set<String> live = new HashSet<>();
    for (SstMeta t : head.allTables()) {
      live.add(t.id());
    }
    tables.retainOnly(live);
    if (!writesThrough()) {
      return; // opening would download the table's tail: leave it to the first read
    }
    for (SstMeta t : committed) {
      try {
        tables.get(t);
      } catch (IsleException e) {
        LOG.warn("cannot open flushed table {} from the local cache: {}", t.id(), e.toString());
      }
    }
  }

  @Override
  public void close() {
    tables.close();
    if (ownsDir) {
      DbReader.deleteTree(dir);
    }
  }

  /** An upload whose bytes also go to a temporary file, adopted by the cache on completion. */
  private static final class TeeUpload implements ObjectUpload {
    private final String id;
    private final ObjectUpload upload;
    private final DiskCache disk;
    private final CRC32C crc = new CRC32C();
    private final Path tmp;
    private OutputStream local; // null once the local copy was given up

    TeeUpload(String id, ObjectUpload upload, DiskCache disk) {
      this.id = id;
      this.upload = upload;
      this.disk = disk;
      this.tmp = disk.tempFile(id);
      try {
        this.local = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
      } catch (IOException e) {
        giveUp(e);
      }
    }

    @Override
    public void write(byte[] data, int offset, int length) {
      upload.write(data, offset, length);
      if (local != null) {
        try {
          local.write(data, offset, length);
          crc.update(data, offset, length);
        } catch (IOException e) {
          giveUp(e);
        }
      }
    }

    @Override
    public long position() {
      return upload.position();
    }

    @Override
    public long complete() {
      long size;
      try {
        size = upload.complete();
      } catch (RuntimeException e) {
        discard();
        throw e;
      }
      if (local != null) {
        try {
          local.close();
          local = null;
          disk.adopt(id, tmp, size, crc.getValue());
        } catch (IOException e) {
          giveUp(e);
        }
      }
      return size;
    }

    @Override
    public void close() {
      upload.close();
      discard();
    }

    private void giveUp(IOException e) {
      LOG.warn("cannot write table {} through to the local cache: {}", id, e.toString());
      discard();
    }

    private void discard() {
      OutputStream l = local;
      local = null;
      if (l != null) {
        try {
          l.close();
        } catch (IOException ignored) {
          // the file is deleted next
        }
      }
      DiskCache.deleteQuietly(tmp);
    }
  }
}
