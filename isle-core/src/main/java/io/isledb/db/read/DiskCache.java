package io.isledb.db.read;

import io.isledb.IsleException;
import io.isledb.util.Internal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A size-bounded local cache of whole SST files under {@code <cacheDir>/sst/}. Files are named
 * {@code <table id>-<crc32c of the whole file>.sst}; a file found at start-up (a previous run) is
 * verified against that checksum when first used, and dropped if it does not match, unless this
 * process wrote or verified it and it is unchanged since (another cache on the same directory).
 * Eviction is least-recently-used by bytes. Thread-safe.
 *
 * <p>One instance may be shared by many databases ({@link io.isledb.IsleResources}): their tables
 * are then stored under ids {@code <namespace>-<table id>} (see {@link SharedDisk}), so databases
 * with equal table ids never read each other's files, and all of them share one LRU and budget.
 */
@Internal
public final class DiskCache {
  private static final Logger LOG = LoggerFactory.getLogger(DiskCache.class);

  /** "<id>-<crc>.sst", where id is "<table id>" or "<namespace>-<table id>" (shared cache). */
  private static final Pattern CACHED_NAME =
      Pattern.compile("([0-9a-f]{16}-)?[0-9a-f]{32}-[0-9a-f]{8}\\.sst");

  /** One cached file. {@code verified} is false for files adopted from an earlier run. */
  static final class CachedFile {
    final String id;
    final Path path;
    final long size;
    final long crc;
    volatile boolean verified;

    CachedFile(String id, Path path, long size, long crc, boolean verified) {
      this.id = id;
      this.path = path;
      this.size = size;
      this.crc = crc;
      this.verified = verified;
    }
  }

  /**
   * The files this process wrote into, or verified in, any disk cache, with their size,
   * modification time and file key then: a cache opened later on the same directory (the next
   * backend of a task manager after a failover) adopts such a file as verified while those are
   * unchanged, as the cache that wrote it would have used it, instead of reading it whole again on
   * its first use. A file from another process, or changed since, is verified as before. The cache
   * never changes a file in place (it writes a temporary file and renames it: a new file key); an
   * in-place rewrite by someone else within one tick of the file system's coarse modification clock
   * (a few milliseconds) of our write would go unnoticed, like damage to a file the live cache has
   * verified already.
   */
  private static final ConcurrentHashMap<Path, String> KNOWN_GOOD = new ConcurrentHashMap<>();

  private final Path dir;
  private final long capacity;
  private final LinkedHashMap<String, CachedFile> files = new LinkedHashMap<>(64, 0.75f, true);
  private long bytes;
  private long hits;
  private long misses;
  private long verifications;

  /** A cache in {@code <cacheDir>/sst/} of at most {@code capacity} bytes. */
  public DiskCache(Path cacheDir, long capacity) {
    this.dir = cacheDir.resolve("sst");
    this.capacity = capacity;
    try {
      Files.createDirectories(dir);
      adoptExisting();
    } catch (IOException e) {
      throw IsleException.unavailable("cannot use SST cache directory " + dir, e);
    }
  }

  private void adoptExisting() throws IOException {
    Set<Path> present = new HashSet<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        present.add(p.toAbsolutePath());
        String n = p.getFileName().toString();
        if (n.endsWith(".tmp")) {
          Files.deleteIfExists(p);
          continue;
        }
        if (!CACHED_NAME.matcher(n).matches()) {
          continue;
        }
        // "<id>-<crc>.sst", where id is "<table id>" or "<namespace>-<table id>" (shared cache)
        String id = n.substring(0, n.length() - 13);
        long crc = Long.parseLong(n.substring(n.length() - 12, n.length() - 4), 16);
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        long size = a.size();
        boolean known = identity(a).equals(KNOWN_GOOD.get(p.toAbsolutePath()));
        synchronized (this) {
          files.put(id, new CachedFile(id, p, size, crc, known));
          bytes += size;
        }
      }
    }
    // Entries of files deleted by someone else (a cache directory removed by hand) would
    // otherwise stay for the life of the process. A file another live cache on this directory
    // adds meanwhile may lose its entry: it is then only verified again when next adopted.
    Path abs = dir.toAbsolutePath();
    KNOWN_GOOD.keySet().removeIf(p -> p.startsWith(abs) && !present.contains(p));
    synchronized (this) {
      evict();
    }
  }

  /**
   * Forgets the known-good files under {@code dir}, which is being deleted (a temporary cache
   * directory at its owner's close): a process opens such directories for the life of each
   * database, and their entries would otherwise accumulate.
   */
  static void forgetUnder(Path dir) {
    Path abs = dir.toAbsolutePath();
    KNOWN_GOOD.keySet().removeIf(p -> p.startsWith(abs));
  }

  /** The known-good entries under {@code dir} (tests). */
  static long knownGoodUnder(Path dir) {
    Path abs = dir.toAbsolutePath();
    return KNOWN_GOOD.keySet().stream().filter(p -> p.startsWith(abs)).count();
  }

  /**
   * The cached file of table {@code id} with {@code size} bytes, verified, or null. A file from an
   * earlier run is checked against its checksum on first use; a mismatch deletes it.
   */
  CachedFile lookup(String id, long size) {
    CachedFile f;
    synchronized (this) {
      f = files.get(id);
      if (f == null) {
        misses++;
        return null;
      }
    }
    if (f.size != size) {
      drop(f, "size " + f.size + " differs from the manifest's " + size);
      return null;
    }
    if (!f.verified) {
      try {
        synchronized (this) {
          verifications++;
        }
        if (crcOf(f.path) != f.crc) {
          drop(f, "checksum mismatch");
          return null;
        }
        remember(f.path);
      } catch (IOException e) {
        drop(f, e.toString());
        return null;
      }
      f.verified = true;
    }
    synchronized (this) {
      hits++;
    }
    return f;
  }

  /** Stores a downloaded table; returns the cached file, or null if it does not fit. */
  CachedFile store(String id, byte[] data) {
    if (data.length > capacity) {
      return null;
    }
    CRC32C crc = new CRC32C();
    crc.update(data);
    Path tmp = tempFile(id);
    try {
      Files.write(tmp, data);
    } catch (IOException e) {
      deleteQuietly(tmp);
      LOG.warn("cannot cache table {} locally: {}", id, e.toString());
      return null;
    }
    return adopt(id, tmp, data.length, crc.getValue());
  }

  /**
   * A temporary file for table {@code id} in the cache directory (for {@link #adopt}; deleted at
   * the next start-up if left behind).
   */
  Path tempFile(String id) {
    return dir.resolve(id + "." + Thread.currentThread().getId() + ".tmp");
  }

  /**
   * Moves a complete copy of table {@code id} ({@code size} bytes with CRC32C {@code crc}), written
   * to {@code tmp} from {@link #tempFile}, into the cache; returns the cached file, or null if it
   * does not fit or cannot be moved ({@code tmp} is deleted either way).
   */
  CachedFile adopt(String id, Path tmp, long size, long crc) {
    if (size > capacity) {
      deleteQuietly(tmp);
      return null;
    }
    Path target = dir.resolve(String.format("%s-%08x.sst", id, crc));
    try {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      deleteQuietly(tmp);
      LOG.warn("cannot cache table {} locally: {}", id, e.toString());
      return null;
    }
    CachedFile f = new CachedFile(id, target, size, crc, true);
    remember(target);
    synchronized (this) {
      CachedFile old = files.put(id, f);
      if (old != null) {
        bytes -= old.size;
      }
      bytes += size;
      evict();
    }
    return f;
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort: temporaries are removed at the next start-up
    }
  }

  /** Forgets and deletes a cached table (it is corrupt, or no longer needed). */
  void drop(CachedFile f, String why) {
    LOG.warn("dropping cached table {}: {}", f.id, why);
    KNOWN_GOOD.remove(f.path.toAbsolutePath());
    synchronized (this) {
      if (files.get(f.id) == f) {
        files.remove(f.id);
        bytes -= f.size;
      }
    }
    try {
      Files.deleteIfExists(f.path);
    } catch (IOException ignored) {
      // a leftover file is re-verified before use
    }
  }

  private void evict() {
    Iterator<Map.Entry<String, CachedFile>> it = files.entrySet().iterator();
    while (bytes > capacity && it.hasNext()) {
      CachedFile f = it.next().getValue();
      it.remove();
      bytes -= f.size;
      KNOWN_GOOD.remove(f.path.toAbsolutePath());
      try {
        // An open channel keeps reading the unlinked file; new opens go to storage.
        Files.deleteIfExists(f.path);
      } catch (IOException e) {
        LOG.warn("cannot delete evicted cache file {}: {}", f.path, e.toString());
      }
    }
  }

  /** Bytes of the cached files now (at most the capacity). */
  public synchronized long bytes() {
    return bytes;
  }

  public synchronized long hits() {
    return hits;
  }

  /** Cached files read whole to check their checksum (files adopted from an earlier run). */
  public synchronized long verifications() {
    return verifications;
  }

  /** Records {@code p}, written or verified by this process, as known good (see KNOWN_GOOD). */
  private static void remember(Path p) {
    try {
      KNOWN_GOOD.put(
          p.toAbsolutePath(), identity(Files.readAttributes(p, BasicFileAttributes.class)));
    } catch (IOException e) {
      KNOWN_GOOD.remove(p.toAbsolutePath()); // verified again when next adopted
    }
  }

  private static String identity(BasicFileAttributes a) {
    return a.size() + "|" + a.lastModifiedTime() + "|" + a.fileKey();
  }

  public synchronized long misses() {
    return misses;
  }

  /** Number of cached files now. */
  public synchronized int fileCount() {
    return files.size();
  }

  static long crcOf(Path p) throws IOException {
    CRC32C crc = new CRC32C();
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(1 << 20);
      while (ch.read(buf) > 0) {
        buf.flip();
        crc.update(buf);
        buf.clear();
      }
    }
    return crc.getValue();
  }
}
