package io.isledb.flink.state;

import io.isledb.DBOptions;
import io.isledb.ForkSource;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.IsleResources;
import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.WriterOptions;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restore of checkpoints this backend may not reopen in place (a change of parallelism, or another
 * job's checkpoint: NO_CLAIM, CLAIM, several jobs from one retained checkpoint): the backend's new
 * database is an {@link IsleDB#fork} of the checkpoints' pinned versions, each clipped to the key
 * groups this backend owns (a key group is the contiguous key range starting with its two bytes,
 * see {@link StateKeys}), so nothing is downloaded: per source database its metadata record and
 * manifest are read and its checkpoint pin is copied into a fork pin (docs/PROTOCOL.md section 9).
 *
 * <p>State ids are part of every key and a fork cannot rewrite keys, so a source is forked only
 * when its state ids agree with the ones already taken (the subtasks of one operator register their
 * states in the same order, so they normally do) and it hands on none of the tables another forked
 * source hands on (sources that are forks themselves, not compacted yet, may borrow the same table
 * with other clips: the engine refuses those). Any other source, and a source on another store, is
 * copied with its ids rewritten ({@link RescaleCopy}) into the forked database.
 */
final class RescaleFork {
  private static final Logger LOG = LoggerFactory.getLogger(RescaleFork.class);

  /** Reads of a source's metadata: ranged GETs, no whole table downloaded into the disk cache. */
  private static final ReaderOptions METADATA_READS =
      ReaderOptions.defaults().withDiskCacheBytes(0).withSmallTableBytes(0);

  /** Source databases read at once by one restore. */
  private static final int MAX_CONCURRENT_READS = 8;

  private RescaleFork() {}

  /**
   * The restored database, the key serializer to use, and the retirement records ({@link
   * SourceRetirement#KEY}) of the forked sources that had one at their checkpointed version, by
   * source prefix (a source that is a fork hands on the old databases it still had to delete).
   */
  record Restored<K>(
      StateDb db, TypeSerializer<K> keySerializer, Map<String, byte[]> retireRecords) {}

  /** What the backend's new database is opened with. */
  record Target(
      IsleResources resources,
      StateLocation location,
      String prefix,
      WriterOptions writerOptions,
      Maintenance maintenance,
      TtlCompactionFilter ttlFilter) {}

  /**
   * Forks (or, where it cannot, copies) the owned key groups of {@code handles} into a new database
   * at {@code target.prefix()}; merges their state registrations into {@code registry}.
   */
  static <K> Restored<K> restore(
      List<IsleCheckpoint> handles,
      KeyGroupRange range,
      Target target,
      StateRegistry registry,
      TypeSerializer<K> keySerializer,
      ClassLoader userClassLoader)
      throws Exception {
    StateLocation location = target.location();
    DBOptions dbOptions = target.maintenance().dbOptions();
    ObjectStore store =
        target.resources().openStore(location.storeUri(), target.prefix(), location.hadoopConf());
    StateDb db = null;
    boolean handedOver = false;
    try {
      TypeSerializer<K> current = keySerializer;
      List<ForkSource> forked = new ArrayList<>();
      List<IsleCheckpoint> copied = new ArrayList<>();
      Set<String> prefixes = new HashSet<>();
      Set<String> tables = new HashSet<>();
      Map<String, byte[]> retireRecords = new HashMap<>();
      List<IsleCheckpoint> candidates = new ArrayList<>();
      for (IsleCheckpoint h : handles) {
        KeyGroupRange owned = h.getSourceKeyGroupRange().getIntersection(range);
        if (owned.getNumberOfKeyGroups() == 0) {
          continue;
        }
        if (!h.getStoreUri().equals(location.storeUri())
            || h.getPrefix().equals(target.prefix())
            || !prefixes.add(h.getPrefix())) {
          copied.add(h);
          continue;
        }
        candidates.add(h);
      }
      List<Source> sources = readAll(store, candidates, dbOptions, target.resources());
      for (int i = 0; i < candidates.size(); i++) {
        IsleCheckpoint h = candidates.get(i);
        KeyGroupRange owned = h.getSourceKeyGroupRange().getIntersection(range);
        Source source = sources.get(i);
        StateRegistry.Decoded decoded = StateRegistry.decode(source.meta(), userClassLoader);
        current = StateRegistry.checkKeySerializer(current, decoded.keySerializerSnapshot());
        if (source.retire() != null) {
          retireRecords.put(h.getPrefix(), source.retire()); // forked or copied
        }
        if (!registry.agreesWith(decoded) || source.tables().stream().anyMatch(tables::contains)) {
          copied.add(h);
          continue;
        }
        registry.adopt(decoded);
        tables.addAll(source.tables());
        forked.add(
            ForkSource.ofPin(
                h.getPrefix(),
                h.getPinName(),
                StateKeys.keyGroupStart(owned.getStartKeyGroup()),
                StateKeys.keyGroupStart(owned.getEndKeyGroup() + 1)));
      }
      copied.sort(java.util.Comparator.comparingInt(handles::indexOf)); // in the handles' order
      if (!forked.isEmpty()) {
        IsleDB.fork(store, forked, dbOptions);
      }
      handedOver = true; // openOn closes the store when it fails
      db =
          StateDb.openOn(
              target.resources(),
              store,
              location.storeUri(),
              location.hadoopConf(),
              target.writerOptions(),
              null,
              target.maintenance(),
              target.ttlFilter(),
              true);
      if (!copied.isEmpty()) {
        current =
            RescaleCopy.copy(
                copied, range, dbOptions.manifestStore(), db, registry, current, userClassLoader);
      }
      LOG.info(
          "restored key groups {} into {} by forking {} and copying {} source databases",
          range.prettyPrintInterval(),
          target.prefix(),
          forked.size(),
          copied.size());
      return new Restored<>(db, current, retireRecords);
    } catch (Throwable t) {
      if (db != null) {
        db.close();
      } else if (!handedOver) {
        store.close();
      }
      throw t;
    }
  }

  /**
   * A source's metadata record, its retirement record (null if none) and the table objects of its
   * checkpointed version.
   */
  private record Source(byte[] meta, byte[] retire, List<String> tables) {}

  /**
   * The sources of {@code handles}, in their order, read concurrently: each costs a few round trips
   * (its pin, then the tables its metadata key is in), and a restore after a change of parallelism
   * usually has two or more, which the task waits for before it serves a record.
   */
  private static List<Source> readAll(
      ObjectStore store, List<IsleCheckpoint> handles, DBOptions dbOptions, IsleResources resources)
      throws Exception {
    if (handles.size() <= 1) {
      List<Source> one = new ArrayList<>();
      for (IsleCheckpoint h : handles) {
        one.add(read(store.sibling(h.getPrefix()), h, dbOptions, resources));
      }
      return one;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(handles.size(), MAX_CONCURRENT_READS),
            r -> {
              Thread t = new Thread(r, "isle-rescale-read");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<Source>> reads = new ArrayList<>();
      for (IsleCheckpoint h : handles) {
        reads.add(pool.submit(() -> read(store.sibling(h.getPrefix()), h, dbOptions, resources)));
      }
      List<Source> out = new ArrayList<>();
      for (Future<Source> f : reads) {
        try {
          out.add(f.get());
        } catch (ExecutionException e) {
          reads.forEach(r -> r.cancel(true));
          Throwable c = e.getCause();
          if (c instanceof Exception x) {
            throw x;
          }
          throw (Error) c;
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static Source read(
      ObjectStore sibling, IsleCheckpoint h, DBOptions dbOptions, IsleResources resources) {
    try (IsleDB db = IsleDB.open(sibling, dbOptions, resources);
        Reader reader = atCheckpoint(db, h);
        ReadView view = versionOf(reader, h)) {
      Optional<byte[]> meta = view.get(StateKeys.META_KEY);
      if (meta.isEmpty()) {
        throw new IllegalStateException(
            "the checkpoint " + h + " has no isle state backend metadata");
      }
      // The retirement record sits next to the metadata record (both under key group 0xFFFF), so
      // this read meets the tables the metadata read opened.
      byte[] retire = view.get(SourceRetirement.KEY).orElse(null);
      return new Source(meta.get(), retire, view.tableObjects());
    }
  }

  /**
   * A reader at the checkpoint's version: started at its pin, which carries the version's state
   * (one GET, no manifest load; a reader opened at the head and then at that version loaded the
   * manifest twice per source). Without the pin (expired, or removed: such a source cannot be
   * forked, only copied) a reader at the head, which then opens the version from the manifest.
   */
  private static Reader atCheckpoint(IsleDB db, IsleCheckpoint h) {
    try {
      return db.openReaderAtPin(h.getPinName(), METADATA_READS);
    } catch (IsleException e) {
      if (e.kind() != IsleException.Kind.INVALID_ARGUMENT) {
        throw e;
      }
      return db.openReader(METADATA_READS);
    }
  }

  /** The checkpoint's version: the reader's own when it started at the checkpoint's pin. */
  private static ReadView versionOf(Reader reader, IsleCheckpoint h) {
    ReadView v = reader.snapshot();
    if (v.version() == h.getVersion()) {
      return v;
    }
    v.close();
    return reader.openVersion(h.getVersion());
  }
}
