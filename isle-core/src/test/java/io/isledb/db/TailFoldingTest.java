package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Change;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Edit;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.Role;
import io.isledb.manifest.SstHandleCodec;
import io.isledb.manifest.SstMeta;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.HookedObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 item 12: the tailing reader emits exactly the edits that replay accepts. The log below is
 * crafted by hand with one edit of each kind replay ignores (an add from a fenced epoch, an add by
 * the wrong role, a replayed commit token, a table that is already live), between accepted ones.
 */
class TailFoldingTest {
  private static final int SNAPSHOT_EVERY = 3;

  private final InMemoryObjectStore memory = new InMemoryObjectStore();
  private final ConcurrentHashMap<String, AtomicLong> requests = new ConcurrentHashMap<>();
  private final List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
  private final HookedObjectStore store =
      new HookedObjectStore(
          memory,
          (op, phase, name) -> {
            if (phase == HookedObjectStore.Phase.BEFORE) {
              seen.add(op + " " + name);
              requests
                  .computeIfAbsent(op + " " + dir(name), k -> new AtomicLong())
                  .incrementAndGet();
            }
          });
  private final IsleDB db =
      IsleDB.open(
          store,
          DBOptions.defaults()
              .withIdSource(Ids.seededSource(12))
              .withSnapshotEvery(SNAPSHOT_EVERY));
  private final Manifest manifest = new Manifest(memory);
  private final WriterOptions wo = WriterOptions.defaults().withFlushInterval(Duration.ZERO);

  /** Keys whose edits replay ignores: none of them may ever be emitted or read. */
  private static final List<String> IGNORED = List.of("stale", "wrongrole", "duptoken");

  private static String dir(String name) {
    if (name.startsWith(ManifestPaths.LOG_DIR)) {
      return ManifestPaths.LOG_DIR;
    }
    if (name.startsWith(ManifestPaths.SNAPSHOT_DIR)) {
      return ManifestPaths.SNAPSHOT_DIR;
    }
    return name;
  }

  private long count(String key) {
    AtomicLong n = requests.get(key);
    return n == null ? 0 : n.get();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String describe(Change c) {
    return c.version() + ":" + new String(c.key(), StandardCharsets.UTF_8);
  }

  private SstMeta table(String key) {
    try (SstWriter sw = db.newSstWriter(SstWriterOptions.defaults())) {
      sw.put(b(key), b("v-" + key));
      List<SstHandle> h = sw.finish();
      return SstHandleCodec.meta(h.get(0));
    }
  }

  /** Appends a hand-made edit at the head; asserts what replay makes of it. */
  private void craft(
      Role role, long epoch, String token, Edit.Change change, boolean acceptedByReplay) {
    ManifestState head = manifest.loadLatest();
    Edit e = new Edit(head.seq() + 1, role, epoch, "crafted-" + role.id(), 0, token, change);
    assertThat(manifest.tryAppend(e)).isTrue();
    assertThat(head.apply(e).accepted()).as("replay accepts %s", e).isEqualTo(acceptedByReplay);
  }

  private Edit.AddTables add(SstMeta t) {
    long seq = manifest.loadLatest().lastSeq() + 1;
    return new Edit.AddTables(List.of(t.withGlobalSeq(seq)), seq, -1);
  }

  /** What the log holds after setUp, as (version:key) of every accepted put. */
  private final List<String> expected = new ArrayList<>();

  @BeforeEach
  void buildLogWithIgnoredEdits() {
    try (Writer w = db.openWriter(wo)) {
      w.put(b("a"), b("1"));
      w.flush();
    }
    SstMeta liveA = manifest.loadLatest().l0().get(0);
    long fencedEpoch = manifest.loadLatest().epoch(Role.WRITER);
    try (Writer w = db.openWriter(wo)) { // fences the first writer
      w.put(b("b"), b("2"));
      w.flush();
    }
    // 1. An add from the fenced writer epoch.
    craft(Role.WRITER, fencedEpoch, null, add(table("stale")), false);
    // 2. An add by a role that may not add (the compactor, properly fenced in).
    long compactorEpoch = manifest.loadLatest().epoch(Role.COMPACTOR) + 1;
    craft(Role.COMPACTOR, compactorEpoch, null, new Edit.Fence(), true);
    craft(Role.COMPACTOR, compactorEpoch, null, add(table("wrongrole")), false);
    // 3. A commit token that was already committed.
    db.commit(List.of(SstHandleCodec.of(table("tok"), "manifest/leases/x.json")), "tok");
    long writerEpoch = manifest.loadLatest().epoch(Role.WRITER);
    craft(Role.WRITER, writerEpoch, "tok", add(table("duptoken")), false);
    // 4. A table that is already live (with fresh, valid sequence numbers).
    craft(Role.WRITER, writerEpoch, null, add(liveA), false);
    // 5. A valid hand-made add: the reader does not simply drop what it did not see written.
    craft(Role.WRITER, writerEpoch, null, add(table("valid")), true);
    try (Writer w = db.openWriter(wo)) { // enough edits for a snapshot after the crafted ones
      for (int i = 0; i < 2 * SNAPSHOT_EVERY; i++) {
        w.put(b("c" + i), b("3"));
        w.flush();
      }
    }
    // The expectation from replay itself: fold the whole log, list the keys of accepted adds.
    ManifestState s = ManifestState.empty();
    for (long v = 1; ; v++) {
      Optional<Edit> e = manifest.readEdit(v);
      if (e.isEmpty()) {
        break;
      }
      ManifestState.Applied a = s.apply(e.get());
      if (a.accepted() && e.get().change() instanceof Edit.AddTables add) {
        for (SstMeta t : add.tables()) {
          expected.add(v + ":" + new String(t.smallestKey(), StandardCharsets.UTF_8));
        }
      }
      s = a.state();
    }
    assertThat(expected)
        .extracting(x -> x.substring(x.indexOf(':') + 1))
        .containsExactly("a", "b", "tok", "valid", "c0", "c1", "c2", "c3", "c4", "c5");
  }

  private static List<String> drain(TailingReader t, TailPosition from) {
    List<String> out = new ArrayList<>();
    TailPosition pos = from;
    while (true) {
      TailBatch batch = t.poll(pos, 2);
      batch.changes().forEach(c -> out.add(describe(c)));
      if (batch.changes().isEmpty() && batch.next().equals(pos)) {
        return out;
      }
      pos = batch.next();
    }
  }

  @Test
  void emitsOnlyTheEditsReplayAccepts() {
    try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
      assertThat(drain(t, new TailPosition(1, 0))).containsExactlyElementsOf(expected);
    }
    // Readers replay the same log and agree: the ignored edits' keys do not exist.
    try (Reader r = db.openReader(ReaderOptions.defaults())) {
      for (String k : IGNORED) {
        assertThat(r.get(b(k))).as(k).isEmpty();
      }
      for (String k : List.of("a", "b", "tok", "valid", "c0", "c5")) {
        assertThat(r.get(b(k))).as(k).isPresent();
      }
    }
  }

  @Test
  void aReaderStartingAtAnyPositionFoldsTheStateBeforeItAndAgrees() {
    long head = manifest.loadLatest().seq();
    for (long v = 1; v <= head + 1; v++) {
      long from = v;
      List<String> suffix =
          expected.stream()
              .filter(x -> Long.parseLong(x.substring(0, x.indexOf(':'))) >= from)
              .toList();
      try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
        assertThat(drain(t, new TailPosition(v, 0))).as("from %d", v).isEqualTo(suffix);
      }
    }
  }

  /**
   * The cost: a reader that starts mid-log loads the state before its position like a cold open
   * (one snapshot listing, one snapshot, the log after it); from then on it folds the edits it
   * reads anyway, so sequential polling costs no extra request.
   */
  @Test
  void startingMidLogCostsOneSnapshotAndABoundedTailThenNothingExtra() {
    long head = manifest.loadLatest().seq();
    List<Long> snapshots = manifest.listSnapshots();
    assertThat(snapshots).isNotEmpty();
    long snapshot = snapshots.stream().filter(x -> x + 2 <= head).reduce((x, y) -> y).orElseThrow();
    long start = snapshot + 2; // the state before it: the snapshot and one edit
    try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
      requests.clear();
      seen.clear();
      List<String> got = drain(t, new TailPosition(start, 0));
      assertThat(got).isNotEmpty();
      assertThat(count("LIST " + ManifestPaths.SNAPSHOT_DIR)).isEqualTo(1);
      assertThat(count("GET " + ManifestPaths.SNAPSHOT_DIR)).isEqualTo(1);
      // One edit replayed after the snapshot, each edit from start to head read once, and the
      // free slot after the head (read by the last two polls).
      assertThat(count("GET " + ManifestPaths.LOG_DIR))
          .as("head %d start %d %s", head, start, seen)
          .isLessThanOrEqualTo(1 + (head - start + 1) + 2);
    }
    try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
      requests.clear();
      seen.clear();
      drain(t, new TailPosition(1, 0));
      // From the start: the empty state needs no load; every slot is read once.
      assertThat(count("GET " + ManifestPaths.SNAPSHOT_DIR)).isZero();
      assertThat(count("LIST " + ManifestPaths.SNAPSHOT_DIR)).isZero();
      assertThat(count("GET " + ManifestPaths.LOG_DIR))
          .as("%s", seen)
          .isLessThanOrEqualTo(head + 2);
    }
  }

  /**
   * After GC collected the start of the log, the earliest position is one whose preceding state can
   * be rebuilt (a retained snapshot followed by the retained log); a position before it cannot be
   * judged and is reported as no longer retained instead of emitted unchecked.
   */
  @Test
  void earliestIsAPositionWhoseStateCanBeRebuilt() {
    List<Long> snapshots = manifest.listSnapshots();
    long snapshot = snapshots.stream().filter(x -> x >= 3).findFirst().orElseThrow();
    // What GC leaves mid-collection: log slots up to snapshot - 2 and older snapshots are gone.
    for (long v = 1; v <= snapshot - 2; v++) {
      memory.delete(ManifestPaths.log(v));
    }
    for (long x : snapshots) {
      if (x < snapshot) {
        memory.delete(ManifestPaths.snapshot(x));
      }
    }
    try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
      TailPosition earliest = t.earliest();
      assertThat(earliest).isEqualTo(new TailPosition(snapshot + 1, 0));
      List<String> suffix =
          expected.stream()
              .filter(x -> Long.parseLong(x.substring(0, x.indexOf(':'))) > snapshot)
              .toList();
      assertThat(drain(t, earliest)).isEqualTo(suffix);
    }
    try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
      // Slot snapshot - 1 is still there, but the state before it is gone.
      assertThat(memory.get(ManifestPaths.log(snapshot - 1))).isPresent();
      assertThatThrownBy(() -> t.poll(new TailPosition(snapshot - 1, 0), 10))
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
          .hasMessageContaining("no longer retained");
    }
  }

  /**
   * {@code tail} ends normally when the reader is closed while a poll runs (the poll fails because
   * of the close, here: its store request); it used to rethrow the poll's failure, a race that made
   * TailingReaderTest.pushFormDeliversUntilClosed fail now and then.
   */
  @Test
  void tailReturnsWhenClosedDuringAPoll() throws Exception {
    java.util.concurrent.atomic.AtomicReference<TailingReader> reader =
        new java.util.concurrent.atomic.AtomicReference<>();
    HookedObjectStore closing =
        new HookedObjectStore(
            memory,
            (op, phase, name) -> {
              if (op == HookedObjectStore.Op.GET && name.startsWith(ManifestPaths.LOG_DIR)) {
                reader.get().close();
                throw new IsleException(IsleException.Kind.UNAVAILABLE, "store shut down");
              }
            });
    try (IsleDB other = IsleDB.open(closing, DBOptions.defaults())) {
      TailingReader t = other.openTailingReader(TailingReaderOptions.defaults());
      reader.set(t);
      List<Change> got = new ArrayList<>();
      t.tail(new TailPosition(1, 0), got::add); // returns instead of throwing UNAVAILABLE
      assertThat(got).isEmpty();
      assertThatThrownBy(() -> t.poll(new TailPosition(1, 0), 1)).hasMessageContaining("closed");
    }
  }
}
