package io.isledb.flink.state;

import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.GcResult;
import io.isledb.IsleDB;
import io.isledb.ManifestStoreConfig;
import io.isledb.ObjectStore;
import io.isledb.PinInfo;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import io.isledb.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs the engine's GC on a stopped job's database deterministically, with the backend's database
 * settings (grace period, no log retention) and a clock the test moves: one pass marks what no
 * retained version references, the clock moves one grace period on, the next pass deletes it. Then
 * reads, through isle-core's public API, what the retained versions (the head and every pin)
 * reference and what storage holds.
 */
final class GcPasses {
  private GcPasses() {}

  /**
   * The database after GC converged.
   *
   * @param objects every object under the prefix, relative to it
   * @param head the head version
   * @param pins the pins left
   * @param liveTables the table objects of the head and of every pinned version
   * @param results the two passes
   */
  record Converged(
      Set<String> objects,
      long head,
      List<PinInfo> pins,
      Set<String> liveTables,
      List<GcResult> results) {
    Set<String> tables() {
      Set<String> out = new TreeSet<>();
      objects.stream().filter(o -> o.startsWith("sstable/")).forEach(out::add);
      return out;
    }

    Set<String> pinNames() {
      Set<String> out = new TreeSet<>();
      pins.forEach(p -> out.add(p.name()));
      return out;
    }
  }

  /** The tables the version of {@code c} references (it must be pinned or retained). */
  static Set<String> tablesOf(IsleCheckpoint c, Duration grace) {
    return tablesOf(c, grace, ManifestStoreConfig.objectStore());
  }

  /** {@link #tablesOf(IsleCheckpoint, Duration)} of a database whose manifest is in {@code m}. */
  static Set<String> tablesOf(IsleCheckpoint c, Duration grace, ManifestStoreConfig m) {
    try (ObjectStore store = IsleDB.openStore(c.getStoreUri(), c.getPrefix(), c.hadoopConf());
        IsleDB db =
            IsleDB.open(store, dbOptions(grace, new MutableClock(now())).withManifestStore(m));
        Reader r = db.openReader(ReaderOptions.defaults());
        ReadView v = r.openVersion(c.getVersion())) {
      return new TreeSet<>(v.tableObjects());
    }
  }

  /** Two GC passes a grace period apart on the database of {@code c}, then its listing. */
  static Converged converge(IsleCheckpoint c, Duration grace) {
    return converge(c, grace, ManifestStoreConfig.objectStore());
  }

  /** {@link #converge(IsleCheckpoint, Duration)} of a database whose manifest is in {@code m}. */
  static Converged converge(IsleCheckpoint c, Duration grace, ManifestStoreConfig m) {
    MutableClock clock = new MutableClock(now());
    try (ObjectStore store = IsleDB.openStore(c.getStoreUri(), c.getPrefix(), c.hadoopConf());
        IsleDB db = IsleDB.open(store, dbOptions(grace, clock).withManifestStore(m))) {
      List<GcResult> results = new ArrayList<>();
      try (GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
        results.add(gc.runOnce());
        clock.advance(grace.plusSeconds(1));
        results.add(gc.runOnce());
      }
      Set<String> objects = new TreeSet<>();
      store.list("").forEachRemaining(o -> objects.add(o.name()));
      List<PinInfo> pins = db.pinInfos();
      Set<String> live = new TreeSet<>();
      long head;
      try (Reader r = db.openReader(ReaderOptions.defaults())) {
        try (ReadView v = r.snapshot()) {
          head = v.version();
          live.addAll(v.tableObjects());
        }
        for (PinInfo p : pins) {
          try (ReadView v = r.openVersion(p.version())) {
            live.addAll(v.tableObjects());
          }
        }
      }
      return new Converged(objects, head, pins, live, results);
    }
  }

  private static DBOptions dbOptions(Duration grace, MutableClock clock) {
    return DBOptions.defaults()
        .withGcGracePeriod(grace)
        .withLogRetention(Duration.ZERO)
        .withClock(clock);
  }

  @SuppressWarnings("JavaUtilDate") // the start of a test clock, read once
  private static long now() {
    return System.currentTimeMillis();
  }
}
