package io.isledb.db;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.isledb.IsleException;
import io.isledb.IsleResources;
import io.isledb.IsleResourcesOptions;
import io.isledb.ObjectStore;
import io.isledb.db.read.DbReader;
import io.isledb.db.read.DiskCache;
import io.isledb.db.read.SharedDisk;
import io.isledb.storage.ObjectStores;
import io.isledb.storage.SharedFileSystems;
import io.isledb.util.Internal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link IsleResources}: four fixed-size pools (threads named {@code isledb-shared-<pool>-<n>}; the
 * flush and maintenance pools' started in the background when the resources are made, the others on
 * first use), one block cache, one disk cache (opened in the background when the resources are
 * made), one memtable budget, shared FileSystems, and a commit signal per database location.
 */
@Internal
public final class SharedResourcesImpl implements IsleResources, Resources {
  private static final Logger LOG = LoggerFactory.getLogger(SharedResourcesImpl.class);

  /** Thread name prefix of every shared pool. */
  public static final String THREAD_PREFIX = "isledb-shared-";

  /**
   * Runs {@link #prepare} of new resources: one thread per process, started on demand and ended
   * after a few idle seconds, so that no thread outlives a burst of openings (nor keeps a job's
   * class loader when IsleDB is loaded from a job jar).
   */
  private static final ThreadPoolExecutor PREPARER = preparer();

  private static ThreadPoolExecutor preparer() {
    ThreadPoolExecutor p =
        new ThreadPoolExecutor(
            1,
            1,
            5,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "isledb-resources-prepare");
              t.setDaemon(true);
              t.setContextClassLoader(SharedResourcesImpl.class.getClassLoader());
              return t;
            });
    p.allowCoreThreadTimeOut(true);
    return p;
  }

  private final IsleResourcesOptions options;
  private final ScheduledThreadPoolExecutor flush;
  private final ScheduledThreadPoolExecutor compaction;
  private final ScheduledThreadPoolExecutor maintenance;
  private final ScheduledThreadPoolExecutor download;
  private final CachedBlocks blocks;

  private final AtomicLong cacheIds = new AtomicLong();
  private final MemtableBudget budget;
  private final java.util.Set<ResourceShare> shares = ConcurrentHashMap.newKeySet();
  private final SharedFileSystems fileSystems = new SharedFileSystems();
  // Weak-keyed maps, maintained on the calling thread (no hand-off to the common pool per insert).
  private final FlushPriority priority = new FlushPriority();
  private final Cache<ObjectStore, CommitSignal> signals =
      Caffeine.newBuilder().executor(Runnable::run).weakKeys().build();
  private final Map<String, AtomicLong> runs = new ConcurrentHashMap<>();
  private final Cache<ObjectStore, SharedDisk> diskShares =
      Caffeine.newBuilder().executor(Runnable::run).weakKeys().build();
  private DiskCache disk; // guarded by this; created on first use
  private Path diskDir; // the private temporary directory to delete at close, or null
  private Path diskRoot; // the directory of the disk cache once created
  private volatile boolean closed;

  public SharedResourcesImpl(IsleResourcesOptions options) {
    if (options == null) {
      throw IsleException.invalidArgument("options must not be null");
    }
    this.options = options;
    this.flush = pool("flush", options.flushThreads());
    this.compaction = pool("compaction", options.compactionThreads());
    this.maintenance = pool("maintenance", options.maintenanceThreads());
    this.download = pool("download", options.downloadThreads());
    this.blocks =
        options.blockCacheBytes() > 0
            ? CachedBlocks.create(options.blockCacheBytes(), options.offHeapBlockCache(), false)
            : null;
    this.budget = new MemtableBudget(options.memtableBudgetBytes());
    // Resources are made when the first database of a slot opens (a Flink restore), which then
    // waits on its fence and restore writes. Meanwhile another thread starts the pools' threads
    // and opens the disk cache (listing and adopting the files already there), work the database's
    // writer and first read would otherwise do on the opening thread (a thread start alone takes
    // milliseconds on a busy machine).
    PREPARER.execute(this::prepare);
  }

  private void prepare() {
    if (closed) {
      return;
    }
    maintenance.prestartAllCoreThreads();
    flush.prestartAllCoreThreads();
    if (options.diskCacheBytes() > 0) {
      try {
        diskCache();
      } catch (IsleException e) {
        // Closed already, or the directory is unusable: the first real use reports it.
        LOG.debug("disk cache not prepared: {}", e.getMessage());
      }
    }
  }

  private static ScheduledThreadPoolExecutor pool(String name, int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory f =
        r -> {
          Thread t = new Thread(r, THREAD_PREFIX + name + "-" + n.incrementAndGet());
          t.setDaemon(true);
          // Not the context class loader of the thread that happened to start it (in Flink, a
          // job's, closed when that job ends while these pools serve later jobs).
          t.setContextClassLoader(SharedResourcesImpl.class.getClassLoader());
          return t;
        };
    ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(threads, f);
    p.setRemoveOnCancelPolicy(true); // a closed database's periodic tasks leave the queue
    return p;
  }

  private RoleExecutor view(ScheduledThreadPoolExecutor pool, String name) {
    if (closed) {
      throw IsleException.closed("shared resources");
    }
    return new RoleExecutor(pool, name, runs.computeIfAbsent(name, k -> new AtomicLong()));
  }

  // ------------------------------------------------------------------ IsleResources

  @Override
  public ObjectStore openStore(String uri, String prefix, Map<String, String> hadoopConf) {
    if (closed) {
      throw IsleException.closed("shared resources");
    }
    return ObjectStores.open(uri, prefix, hadoopConf, fileSystems);
  }

  @Override
  public IsleResourcesOptions options() {
    return options;
  }

  @Override
  public long blockCacheBytes() {
    return blocks == null ? 0 : blocks.weight();
  }

  @Override
  public IsleResources share(long memtableBudgetBytes, long blockCacheBytes) {
    if (closed) {
      throw IsleException.closed("shared resources");
    }
    ResourceShare s = new ResourceShare(this, memtableBudgetBytes, blockCacheBytes);
    shares.add(s);
    return s;
  }

  void removeShare(ResourceShare s) {
    shares.remove(s);
  }

  @Override
  public synchronized long diskCacheBytes() {
    return disk == null ? 0 : disk.bytes();
  }

  @Override
  public long memtableBytes() {
    long bytes = budget.used();
    for (ResourceShare s : shares) {
      bytes += s.memtableBytes();
    }
    return bytes;
  }

  @Override
  public io.isledb.CacheStats cacheStats() {
    long blockHits = 0;
    long blockMisses = 0;
    if (blocks != null) {
      com.github.benmanes.caffeine.cache.stats.CacheStats s = blocks.cache().stats();
      blockHits = s.hitCount();
      blockMisses = s.missCount();
    }
    long diskHits = 0;
    long diskMisses = 0;
    synchronized (this) {
      if (disk != null) {
        diskHits = disk.hits();
        diskMisses = disk.misses();
      }
    }
    return new io.isledb.CacheStats(blockHits, blockMisses, diskHits, diskMisses);
  }

  @Override
  public int openFileSystems() {
    return fileSystems.openFileSystems();
  }

  /** How often the tasks of roles whose executor name starts with {@code prefix} ran (tests). */
  public long runs(String prefix) {
    return runs.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(e -> e.getValue().get())
        .sum();
  }

  /** The directory of the shared disk cache, or null before its first use (tests). */
  public synchronized Path diskCacheDirectory() {
    return diskRoot;
  }

  /** The memtable budget (tests read its peak). */
  public MemtableBudget budget() {
    return budget;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    flush.shutdownNow();
    compaction.shutdownNow();
    maintenance.shutdownNow();
    download.shutdownNow();
    if (blocks != null) {
      blocks.close();
    }
    fileSystems.closeAll();
    synchronized (this) {
      if (diskDir != null) {
        DbReader.deleteTree(diskDir);
      }
    }
  }

  // ------------------------------------------------------------------ Resources

  @Override
  public ExecutorService flushExecutor(String name, int privateThreads) {
    return view(flush, name);
  }

  @Override
  public ScheduledExecutorService compactionScheduler(String name, int privateThreads) {
    return view(compaction, name);
  }

  @Override
  public ScheduledExecutorService maintenanceScheduler(String name) {
    return view(maintenance, name);
  }

  @Override
  public ScheduledExecutorService leaseScheduler(String name, ScheduledExecutorService roleOwn) {
    return view(maintenance, name);
  }

  @Override
  public ExecutorService downloadExecutor(String name) {
    return view(download, name);
  }

  @Override
  public CachedBlocks blockCache(long privateBytes, boolean privateOffHeap) {
    return blocks;
  }

  @Override
  public long newCacheId() {
    return cacheIds.incrementAndGet();
  }

  @Override
  public MemtableBudget memtableBudget() {
    return budget;
  }

  @Override
  public CommitSignal commitSignal(ObjectStore store) {
    return signals.get(store, k -> new CommitSignal());
  }

  @Override
  public FlushPriority flushPriority() {
    return priority;
  }

  @Override
  public SharedDisk sharedDisk(ObjectStore store) {
    return diskShares.get(store, s -> new SharedDisk(diskCache(), namespace(s)));
  }

  private synchronized DiskCache diskCache() {
    if (closed) {
      throw IsleException.closed("shared resources");
    }
    if (disk == null && options.diskCacheBytes() > 0) {
      Path dir = options.diskCacheDir();
      try {
        if (dir == null) {
          diskDir = Files.createTempDirectory("isledb-shared-cache-");
          dir = diskDir;
        }
      } catch (IOException e) {
        throw IsleException.unavailable("cannot create the shared disk cache directory", e);
      }
      disk = new DiskCache(dir, options.diskCacheBytes());
      diskRoot = dir;
    }
    return disk;
  }

  /**
   * 16 hex digits naming a database in the shared disk cache. A store opened by {@code
   * IsleDB.openStore} or {@link #openStore} is named by its location (base URI plus prefix): every
   * store of one database shares the cached files, also across restarts on a kept directory. Any
   * other store is named at random per instance: its {@code location()} need not identify its data
   * (every in-memory store of the tests is {@code memory://}).
   */
  private static String namespace(ObjectStore store) {
    String identity =
        ObjectStores.identifiedByLocation(store)
            ? "location:" + store.location()
            : "instance:" + UUID.randomUUID();
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw IsleException.internal("SHA-256 unavailable", e);
    }
  }
}
