package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.ObjectStore;
import io.isledb.manifest.Edit;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.ManifestStore;
import io.isledb.manifest.ObjectStoreManifestStore;
import io.isledb.manifest.SstMeta;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * An oracle of the objects GC must not delete, independent of the garbage collector: it replays the
 * manifest log itself from slot 1 (reading every edit as it appears, folding it with the replay
 * rule {@link ManifestState#apply}, the protocol's definition), reads the pins itself, and reads
 * each table's blob references from the raw table bytes. It uses none of GC's shortcuts (base
 * snapshot, cached additions, first-seen or modification times): it keeps every version it saw,
 * stamped with the test's true time, and derives what must exist from the promises of
 * docs/PROTOCOL.md section 7:
 *
 * <ul>
 *   <li>the newest version's tables;
 *   <li>the tables of every version that stopped being the newest less than the grace period ago
 *       (readers of a slightly older version);
 *   <li>the tables of every version created less than the log retention ago;
 *   <li>the tables of every version-pinned state, and of every version from a history pin's on;
 *   <li>the blobs all of these reference.
 * </ul>
 *
 * Call {@link #observe()} after every step of a test, before moving the true clock, so that the
 * time the oracle stamps on a new version is the time it was created. The oracle must see every log
 * edit before GC may collect it (a grace period at least): it fails loudly if it fell behind.
 */
public final class LiveSetOracle {
  private final ObjectStore store;
  private final ManifestStore manifest;
  private final Clock trueClock;
  private final long graceMillis;
  private final long retentionMillis;

  private ManifestState head = ManifestState.empty();
  private final List<ManifestState> versions = new ArrayList<>();
  private final List<Long> createdAt = new ArrayList<>();
  private final List<Long> supersededAt = new ArrayList<>();
  private final Map<String, Set<String>> blobsOfTable = new HashMap<>();
  private List<ManifestCodec.Pin> pins = List.of();

  public LiveSetOracle(ObjectStore store, Clock trueClock, Duration grace, Duration retention) {
    this(store, new ObjectStoreManifestStore(store), trueClock, grace, retention);
  }

  /** An oracle of the database on {@code store} whose manifest is in {@code manifest}. */
  public LiveSetOracle(
      ObjectStore store,
      ManifestStore manifest,
      Clock trueClock,
      Duration grace,
      Duration retention) {
    this.store = store;
    this.manifest = manifest;
    this.trueClock = trueClock;
    this.graceMillis = grace.toMillis();
    this.retentionMillis = retention.toMillis();
    versions.add(head);
    createdAt.add(trueClock.millis());
    supersededAt.add(Long.MAX_VALUE);
  }

  /** Reads the new log edits and the pins; stamps new versions with the true time. */
  public void observe() {
    long now = trueClock.millis();
    while (true) {
      long slot = head.seq() + 1;
      Optional<byte[]> b = manifest.readLog(slot);
      if (b.isEmpty()) {
        break;
      }
      Edit e = ManifestCodec.decodeEdit(ManifestPaths.log(slot), slot, b.get());
      head = head.apply(e).state();
      supersededAt.set(supersededAt.size() - 1, now);
      versions.add(head);
      createdAt.add(now);
      supersededAt.add(Long.MAX_VALUE);
      for (SstMeta t : head.allTables()) {
        blobsOf(t);
      }
    }
    manifest
        .list(ManifestPaths.LOG_DIR)
        .forEach(
            o ->
                assertThat(ManifestPaths.seqOf(o.name()))
                    .as("the oracle fell behind the log: slot after its head %s exists", head.seq())
                    .isLessThanOrEqualTo(head.seq()));
    List<ManifestCodec.Pin> read = new ArrayList<>();
    manifest
        .list(ManifestPaths.PINS_DIR)
        .forEach(
            o ->
                manifest
                    .get(o.name())
                    .ifPresent(bytes -> read.add(ManifestCodec.decodePin(o.name(), bytes))));
    pins = read;
    for (ManifestCodec.Pin p : pins) {
      if (!p.history()) {
        p.state().allTables().forEach(this::blobsOf);
      }
    }
  }

  /** The newest version the oracle saw. */
  public ManifestState head() {
    return head;
  }

  /** Every table and blob object that must exist now. */
  public TreeSet<String> mustExist() {
    long now = trueClock.millis();
    long historyFrom = Long.MAX_VALUE;
    for (ManifestCodec.Pin p : pins) {
      if (p.history()) {
        historyFrom = Math.min(historyFrom, p.version());
      }
    }
    List<ManifestState> states = new ArrayList<>();
    for (int v = 0; v < versions.size(); v++) {
      if (v == versions.size() - 1
          || now - supersededAt.get(v) < graceMillis
          || now - createdAt.get(v) < retentionMillis
          || v >= historyFrom) {
        states.add(versions.get(v));
      }
    }
    for (ManifestCodec.Pin p : pins) {
      if (!p.history()) {
        states.add(p.state());
      }
    }
    return dataOf(states);
  }

  /**
   * The table and blob objects of a fully collected, idle database: the newest version, every
   * version pin's state and every version from a history pin's on.
   */
  public TreeSet<String> convergedData() {
    List<ManifestState> states = new ArrayList<>();
    states.add(head);
    for (ManifestCodec.Pin p : pins) {
      if (p.history()) {
        states.addAll(versions.subList((int) p.version(), versions.size()));
      } else {
        states.add(p.state());
      }
    }
    return dataOf(states);
  }

  /** Table and blob objects currently listed. */
  public TreeSet<String> listedData() {
    TreeSet<String> out = new TreeSet<>();
    store.list(ManifestPaths.SST_DIR).forEachRemaining(o -> out.add(o.name()));
    store.list(ManifestPaths.BLOB_DIR).forEachRemaining(o -> out.add(o.name()));
    return out;
  }

  /** Fails naming every object that must exist but is gone. */
  public void assertNothingLiveMissing(String when) {
    observe();
    TreeSet<String> missing = mustExist();
    missing.removeAll(listedData());
    assertThat(missing).as("%s: objects the oracle says are live were deleted", when).isEmpty();
  }

  private TreeSet<String> dataOf(List<ManifestState> states) {
    TreeSet<String> out = new TreeSet<>();
    for (ManifestState s : states) {
      for (SstMeta t : s.allTables()) {
        out.add(t.objectName());
        out.addAll(blobsOf(t));
      }
    }
    return out;
  }

  private Set<String> blobsOf(SstMeta t) {
    Set<String> known = blobsOfTable.get(t.id());
    if (known != null) {
      return known;
    }
    if (t.blobRefs() == 0) {
      blobsOfTable.put(t.id(), Set.of());
      return Set.of();
    }
    if (store.stat(t.objectName()).isEmpty()) {
      // Deleted before the oracle could read it; mustExist reports the table itself as missing.
      return Set.of();
    }
    Set<String> blobs = new TreeSet<>(LiveObjects.blobsOf(store, t));
    blobsOfTable.put(t.id(), blobs);
    return blobs;
  }
}
