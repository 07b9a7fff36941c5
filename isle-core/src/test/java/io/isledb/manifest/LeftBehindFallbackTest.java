package io.isledb.manifest;

import static io.isledb.manifest.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * An author idle for longer than its freshness window re-reads CURRENT before taking a slot, to
 * notice that GC collected the log after its head (the free slot after it is then a collected one,
 * not the end of the log). CURRENT is only a hint: it can be missing (never written, deleted, or
 * ABFS's delete-then-rename window), unreadable, or older than what GC collected up to (a rewrite
 * delayed by a stalled author that lands late). None of these may read as "not left behind": the
 * author would write its edit into the collected slot, where no reader ever looks.
 */
class LeftBehindFallbackTest {
  private static final long FRESHNESS = Duration.ofMinutes(5).toMillis();

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
  private final Manifest ms = new Manifest(store);

  private ManifestState stateAt4;

  private ManifestAppender appender(Role role, String author) {
    ManifestState head = ms.loadLatest();
    return new ManifestAppender(ms, role, author, clock, head, head.seq(), 1000, false, FRESHNESS);
  }

  private static Optional<Edit.Change> addOne(ManifestState s, int n) {
    long seq = s.lastSeq() + 1;
    return Optional.of(new Edit.AddTables(List.of(table(n, "a", "z", seq, seq)), seq, -1));
  }

  /**
   * The writer appends while retention (the stale author, head 4) is idle; GC then snapshots the
   * head (9) and collects every log slot up to it, and CURRENT is spoiled by {@code current}.
   * Returns the stale retention appender.
   */
  private ManifestAppender strandedRetention(Consumer<Long> current) {
    ManifestAppender w = appender(Role.WRITER, "w");
    w.fence();
    w.append(s -> addOne(s, 1), null);
    w.append(s -> addOne(s, 2), null);
    ManifestAppender r = appender(Role.RETENTION, "r");
    r.fence();
    assertThat(r.head().seq()).isEqualTo(4);
    stateAt4 = r.head();
    for (int i = 3; i <= 7; i++) {
      int n = i;
      w.append(s -> addOne(s, n), null);
    }
    long head = w.head().seq();
    assertThat(head).isEqualTo(9);
    ms.writeSnapshot(w.head(), clock.millis());
    ms.writeCurrent(new ManifestCodec.Current(head, head, -1, -1, clock.millis()));
    clock.advance(Duration.ofMinutes(11));
    for (long s = 1; s <= head; s++) {
      store.delete(ManifestPaths.log(s));
    }
    current.accept(head);
    clock.advance(Duration.ofMinutes(1));
    return r;
  }

  private void assertRetentionDidNotWriteIntoACollectedSlot(ManifestAppender r) {
    ManifestAppender.Appended a =
        r.append(s -> Optional.of(new Edit.DropTables(List.of(Tables.id(1)), -1)), null);
    assertThat(ms.readEdit(5)).as("nothing was written into the collected slot 5").isEmpty();
    assertThat(a.version()).as("the drop is the edit after the true head").isEqualTo(10);
    // Listed, not through CURRENT: a backwards CURRENT naming a surviving snapshot misleads a cold
    // open through CURRENT until CURRENT is next rewritten (which is why authors open listed).
    ManifestState latest = ms.loadLatestListed();
    assertThat(latest.seq()).isEqualTo(10);
    assertThat(latest.table(Tables.id(1))).as("the drop is visible").isNull();
    assertThat(latest.table(Tables.id(2))).isNotNull();
  }

  @Test
  void missingCurrent() {
    ManifestAppender r = strandedRetention(head -> store.delete(ManifestPaths.CURRENT));
    assertRetentionDidNotWriteIntoACollectedSlot(r);
  }

  @Test
  void corruptCurrent() {
    ManifestAppender r =
        strandedRetention(
            head -> store.put(ManifestPaths.CURRENT, "{\"torn".getBytes(StandardCharsets.UTF_8)));
    assertRetentionDidNotWriteIntoACollectedSlot(r);
  }

  @Test
  void currentMovedBackwards() {
    // The retention author's own CURRENT rewrite after its fence (version 4), delayed while it was
    // stalled, lands after GC's: CURRENT now names version 4 again.
    ManifestAppender r =
        strandedRetention(
            head -> ms.writeCurrent(new ManifestCodec.Current(0, 4, -1, -1, clock.millis())));
    assertRetentionDidNotWriteIntoACollectedSlot(r);
  }

  @Test
  void currentMovedBackwardsToASnapshotThatStillExists() {
    // GC's CURRENT of an earlier pass (snapshot 4 = head 4) lands late, and snapshot 4 itself was
    // not deleted yet (a GC killed between its log and its snapshot deletions).
    ManifestAppender r =
        strandedRetention(
            head -> {
              ms.writeSnapshot(stateAt4, clock.millis());
              ms.writeCurrent(new ManifestCodec.Current(4, 4, -1, -1, clock.millis()));
            });
    assertRetentionDidNotWriteIntoACollectedSlot(r);
  }

  /**
   * The fallback (a listing of snapshots) is paid only when the freshness window has expired and
   * CURRENT does not already prove the author left behind: an author that appends within its window
   * pays one create; one idle for longer pays the free slot, CURRENT and one listing page.
   */
  @Test
  void fallbackCostsOneListingAndOnlyAfterTheFreshnessWindow() {
    ManifestAppender w = appender(Role.WRITER, "w");
    w.fence();
    w.append(s -> addOne(s, 1), null);

    clock.advance(Duration.ofMillis(FRESHNESS));
    RequestStats before = store.stats();
    w.append(s -> addOne(s, 2), null);
    RequestStats cost = store.stats().minus(before);
    assertThat(cost.total()).as("within the window: %s", cost.counts()).isEqualTo(1);
    assertThat(cost.count(RequestKind.CREATE_IF_ABSENT)).isEqualTo(1);

    clock.advance(Duration.ofMillis(FRESHNESS + 1));
    before = store.stats();
    w.append(s -> addOne(s, 3), null);
    cost = store.stats().minus(before);
    assertThat(cost.count(RequestKind.GET))
        .as("the free slot and CURRENT (absent): %s", cost.counts())
        .isEqualTo(2);
    assertThat(cost.count(RequestKind.LIST_PAGE)).as("one page of snapshots").isEqualTo(1);
    assertThat(cost.count(RequestKind.CREATE_IF_ABSENT)).isEqualTo(1);
    assertThat(cost.total()).isEqualTo(4);

    // A CURRENT behind the head (the usual case without an LSN extractor: it is rewritten only
    // with snapshots) cannot tell either: the listing again.
    ms.writeCurrent(new ManifestCodec.Current(0, 1, -1, -1, clock.millis()));
    clock.advance(Duration.ofMillis(FRESHNESS + 1));
    before = store.stats();
    w.append(s -> addOne(s, 4), null);
    cost = store.stats().minus(before);
    assertThat(cost.count(RequestKind.LIST_PAGE)).as("%s", cost.counts()).isEqualTo(1);
    assertThat(ms.loadLatest().seq()).isEqualTo(5);
  }
}
