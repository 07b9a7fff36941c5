package io.isledb.manifest;

import io.isledb.FencedException;
import io.isledb.IsleException;
import io.isledb.util.Internal;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends edits for one role instance. It keeps the log head in memory, claims an epoch with a
 * fence edit, and appends by creating the next log slot if absent. Losing a slot means another
 * author got there first: it reads that edit, applies it, re-validates its own edit against the new
 * state (fenced? inputs still live? token already committed?) and tries the next slot. It can only
 * win the slot right after the true head, having read every edit before it: that is what makes
 * fencing and conflict detection sound (docs/PROTOCOL.md).
 *
 * <p>Not thread-safe: callers serialize appends of one instance.
 */
@Internal
public final class ManifestAppender {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestAppender.class);

  /** Retries of one slot after an ambiguous storage failure (the same bytes each time). */
  private static final int AMBIGUOUS_RETRIES = 3;

  /** No deadline: the edit commits nothing that GC could collect meanwhile (a fence, a drop). */
  private static final LongSupplier NO_DEADLINE = () -> Long.MAX_VALUE;

  private final Manifest store;
  private final Role role;
  private final String author;
  private final Clock clock;
  private final int snapshotEvery;
  private final boolean currentEveryEdit;
  private final long freshnessMillis;
  private ManifestState head;
  private long epoch;
  private long lastSnapshotSeq;
  private boolean deferring; // snapshot and CURRENT writes wait for writeDeferred()
  private boolean deferred; // an append since deferring began made them due

  /**
   * A clock reading taken before the requests that last showed the head to be the end of the log (a
   * catch-up up to a free slot, or a won create). Taken before sending, never after the response: a
   * request can land, or its response arrive, long after it was sent, and GC's collection of
   * anything appended after our head is bounded from the time we sent.
   */
  private long confirmedAt;

  /**
   * @param head a recent state (for example from {@link Manifest#loadLatest()})
   * @param snapshotEvery write a snapshot when this many edits passed since the last known one
   * @param currentEveryEdit rewrite CURRENT after every edit (when LSNs are tracked), not only with
   *     snapshots
   */
  public ManifestAppender(
      Manifest store,
      Role role,
      String author,
      Clock clock,
      ManifestState head,
      long lastSnapshotSeq,
      int snapshotEvery,
      boolean currentEveryEdit,
      long freshnessMillis) {
    this.store = store;
    this.freshnessMillis = freshnessMillis;
    this.confirmedAt = clock.millis();
    this.role = role;
    this.author = author;
    this.clock = clock;
    this.head = head;
    this.lastSnapshotSeq = lastSnapshotSeq;
    this.snapshotEvery = snapshotEvery;
    this.currentEveryEdit = currentEveryEdit;
  }

  /** The newest state this appender knows. */
  public ManifestState head() {
    return head;
  }

  /** The epoch this instance holds (0 before {@link #fence()}). */
  public long epoch() {
    return epoch;
  }

  /** The role. */
  public Role role() {
    return role;
  }

  /**
   * Reads edits appended by others since the last known head. Like every catch-up before an append
   * ({@link #ensureFresh}), it checks that the head was not left behind by GC when it was last
   * confirmed too long ago: a compactor, retention or committer idle for longer than the log
   * retention would otherwise take a collected slot for the end of the log and "commit" its edit
   * into it, where nobody ever reads it.
   */
  public ManifestState refresh() {
    long now = clock.millis();
    boolean stale = now - confirmedAt > freshnessMillis;
    head = store.catchUp(head);
    if (stale) {
      reloadIfLeftBehind();
    }
    confirmedAt = now;
    return head;
  }

  /** Reloads (and returns true) if GC collected the log after the head. */
  private boolean reloadIfLeftBehind() {
    if (!store.leftBehind(head.seq())) {
      return false;
    }
    LOG.warn("{} at version {} was left behind by GC; reloading", author, head.seq());
    // Not loadLatest: the CURRENT that failed to tell us may name a stale snapshot still present.
    head = store.loadLatestListed();
    return true;
  }

  /**
   * Makes sure the head is not stranded before taking a slot. GC deletes old log edits (those at or
   * below a snapshot CURRENT names, and only once they are older than the grace period). An author
   * whose head was confirmed (it read up to a free slot) less than half the grace period ago cannot
   * have lost a following edit to GC. An author idle for longer re-reads CURRENT (and lists the
   * snapshots when CURRENT does not settle it): if the log after the head was collected while the
   * next slot is free ({@link Manifest#leftBehind}), the free slot is a collected one, not the end
   * of the log; the author reloads instead of writing into it.
   */
  private void ensureFresh() {
    long now = clock.millis();
    if (now - confirmedAt <= freshnessMillis) {
      return;
    }
    head = store.catchUp(head);
    reloadIfLeftBehind();
    confirmedAt = now;
  }

  /**
   * Claims a new epoch for the role; every older instance of the role is fenced from now on. On a
   * retired database nothing can be appended: GC joins at the newest GC epoch without appending (it
   * only deletes the prefix, idempotently), every other role is refused.
   *
   * @throws FencedException if the database is retired (any role but GC)
   */
  public long fence() {
    while (true) {
      if (head.retired() && role == Role.GC) {
        epoch = head.epoch(role);
        return epoch;
      }
      checkRetired();
      long next = head.epoch(role) + 1;
      Edit e = new Edit(head.seq() + 1, role, next, author, clock.millis(), null, new Edit.Fence());
      if (tryTake(e, NO_DEADLINE)) {
        epoch = next;
        return epoch;
      }
    }
  }

  /** The outcome of an append. */
  public record Appended(Edit edit, long version, boolean duplicate) {}

  /**
   * Appends the change {@code build} makes from the current head. {@code build} is called again
   * after every lost race, against the newer head; it returns empty when there is nothing to do any
   * more (for example its tables are already live because an earlier, ambiguous attempt landed).
   *
   * @param token optional commit token: if already committed, nothing is appended and the earlier
   *     version is returned with {@code duplicate = true}
   * @throws FencedException if a newer instance of the role fenced this one
   * @throws IsleException of kind CONFLICT if the change is no longer valid
   */
  public Appended append(Function<ManifestState, Optional<Edit.Change>> build, String token) {
    return append(build, token, NO_DEADLINE);
  }

  /**
   * Like {@link #append(Function, String)}, but no create request (first attempt, retry after an
   * ambiguous failure, or the next slot after a lost race) is sent once this role's clock is past
   * {@code sendBy}. Edits that commit uploads use it: GC may collect an upload a while after it was
   * last protected (by its upload time or a lease), and an edit sent later could commit an object
   * that is gone. {@code sendBy} is read before every attempt, so a deadline that moves (a lease
   * refreshed meanwhile) is honoured. When it has passed, nothing more is sent; an earlier
   * ambiguous attempt may still have landed, which the caller's next {@code build} recognises.
   *
   * @throws IsleException of kind UNAVAILABLE if the deadline passed before the edit was committed
   */
  public Appended append(
      Function<ManifestState, Optional<Edit.Change>> build, String token, LongSupplier sendBy) {
    if (epoch == 0) {
      throw IsleException.internal("append before fence by " + author, null);
    }
    while (true) {
      checkFence();
      if (token != null) {
        long v = head.tokenVersion(token);
        if (v >= 0) {
          return new Appended(null, v, true);
        }
      }
      Optional<Edit.Change> change = build.apply(head);
      if (change.isEmpty()) {
        return new Appended(null, head.seq(), true);
      }
      Edit e = new Edit(head.seq() + 1, role, epoch, author, clock.millis(), token, change.get());
      String why = head.validate(e);
      if (why != null) {
        throw new IsleException(
            IsleException.Kind.CONFLICT, "cannot commit " + role.id() + " edit: " + why);
      }
      if (tryTake(e, sendBy)) {
        return new Appended(e, e.seq(), false);
      }
    }
  }

  /**
   * Retires the database (role {@link Role#RETIRED}): appends its one fence, after which no edit is
   * applied (docs/PROTOCOL.md section 9, "Retired sources"). Idempotent.
   *
   * @return the version of the retirement, or the head's if the database already was retired
   */
  public long retire() {
    if (role != Role.RETIRED) {
      throw IsleException.internal("retire by role " + role.id(), null);
    }
    while (true) {
      if (head.retired()) {
        return head.seq();
      }
      Edit e = new Edit(head.seq() + 1, role, 1, author, clock.millis(), null, new Edit.Fence());
      if (tryTake(e, NO_DEADLINE)) {
        epoch = 1;
        return e.seq();
      }
    }
  }

  private void checkRetired() {
    if (head.retired()) {
      throw new FencedException(
          role.id()
              + " "
              + author
              + " cannot append: "
              + store.store().location()
              + " is retired (at or before version "
              + head.seq()
              + "); GC deletes it once nothing pins it; use another prefix");
    }
  }

  /** Throws if a newer epoch of this role exists at the head, or the database is retired. */
  public void checkFence() {
    if (role != Role.GC) {
      checkRetired();
    }
    long newest = head.epoch(role);
    if (newest > epoch) {
      throw new FencedException(
          role.id()
              + " epoch "
              + epoch
              + " of "
              + author
              + " was fenced by epoch "
              + newest
              + " at version "
              + head.seq()
              + " of "
              + store.store().location());
    }
  }

  /**
   * Tries slot {@code e.seq()}; on success advances the head, else catches up (or reloads) and
   * returns false so the caller rebuilds its edit against the newer head.
   *
   * <p>Every attempt is sent only before {@code sendBy}, and a retry after an ambiguous failure
   * only while the head is still known fresh: a slow failed attempt can outlast the freshness
   * window, and then the slot may have been collected meanwhile (our own earlier attempt landed and
   * GC collected past it), so the retry re-checks first.
   */
  private boolean tryTake(Edit e, LongSupplier sendBy) {
    long before = head.seq();
    ensureFresh();
    if (head.seq() != before) {
      return false;
    }
    boolean won;
    long firstSent = Long.MAX_VALUE;
    for (int attempt = 0; ; attempt++) {
      if (attempt > 0) {
        long now = clock.millis();
        checkDeadline(e, now, sendBy.getAsLong());
        if (now - confirmedAt > freshnessMillis) {
          boolean reloaded = reloadIfLeftBehind();
          confirmedAt = now;
          if (reloaded) {
            return false;
          }
        }
      }
      long now = clock.millis();
      checkDeadline(e, now, sendBy.getAsLong());
      firstSent = Math.min(firstSent, now);
      try {
        won = store.tryAppend(e);
        break;
      } catch (IsleException ex) {
        // The same bytes are retried: if an earlier attempt landed, the store recognises them.
        if (ex.kind() != IsleException.Kind.UNAVAILABLE || attempt >= AMBIGUOUS_RETRIES) {
          throw ex;
        }
        LOG.warn("append of manifest slot {} failed, retrying: {}", e.seq(), ex.getMessage());
      }
    }
    if (!won) {
      long seen = head.seq();
      long now = clock.millis();
      head = store.catchUp(head);
      confirmedAt = now;
      if (head.seq() == seen) {
        // The slot exists but holds no readable edit yet (an ABFS create whose bytes are not
        // committed; its writer may have died). Appending after it would leave a gap.
        throw new IsleException(
            IsleException.Kind.UNAVAILABLE,
            "manifest slot "
                + e.seq()
                + " of "
                + store.store().location()
                + " is taken but holds no edit yet; retry later (if its writer died, delete the empty object "
                + ManifestPaths.log(e.seq())
                + ")");
      }
      return false;
    }
    // Our create proves the log ended before our slot at some point after the first attempt was
    // sent; when exactly is unknown, so count from the sending.
    confirmedAt = Math.max(confirmedAt, firstSent);
    ManifestState.Applied a = head.apply(e);
    if (!a.accepted()) {
      throw IsleException.internal(
          "own "
              + role.id()
              + " edit for slot "
              + e.seq()
              + " rejected after validation: "
              + a.rejection(),
          null);
    }
    head = a.state();
    if (deferring) {
      deferred |= currentEveryEdit || head.seq() - lastSnapshotSeq >= snapshotEvery;
    } else {
      afterAppend(false);
    }
    return true;
  }

  private void checkDeadline(Edit e, long now, long sendBy) {
    if (now > sendBy) {
      throw new IsleException(
          IsleException.Kind.UNAVAILABLE,
          role.id()
              + " edit for manifest slot "
              + e.seq()
              + " of "
              + store.store().location()
              + " was not sent: its commit deadline passed "
              + (now - sendBy)
              + " ms ago (GC may collect what it would commit)");
    }
  }

  /**
   * From now until {@link #writeDeferred}, appends leave the snapshot and CURRENT writes they may
   * make due to that call. For an opening writer: its fence (and a restore's edit) would otherwise
   * write them on the opening thread, two durable writes that only speed up later opens, while a
   * restoring task waits for the open to serve its first record.
   */
  public void deferSnapshots() {
    deferring = true;
  }

  /** Whether an append since {@link #deferSnapshots} made snapshot or CURRENT writes due. */
  public boolean hasDeferredWrites() {
    return deferred;
  }

  /**
   * Ends {@link #deferSnapshots}: writes the snapshot and CURRENT the appends since made due (as
   * after each append: best effort, a failure is logged and the next append tries again).
   */
  public void writeDeferred() {
    deferring = false;
    if (deferred) {
      deferred = false;
      afterAppend(false);
    }
  }

  /**
   * Writes a snapshot of the head and CURRENT now, off the schedule: after an edit that replaced
   * the whole state (a rollback to a pin), so that the next open starts from it instead of
   * replaying the log before it (a restore repeated at every failover would otherwise lengthen that
   * replay). Best effort, as after every append.
   */
  public void snapshotHead() {
    deferring = false;
    deferred = false;
    if (head.seq() > lastSnapshotSeq) {
      afterAppend(true);
    }
  }

  private void afterAppend(boolean force) {
    boolean snap = force || head.seq() - lastSnapshotSeq >= snapshotEvery;
    try {
      if (snap) {
        store.writeSnapshot(head, clock.millis());
        lastSnapshotSeq = head.seq();
      }
      if (snap || currentEveryEdit) {
        store.writeCurrent(
            new ManifestCodec.Current(
                lastSnapshotSeq,
                head.seq(),
                head.maxCommittedLsn(),
                head.lowWatermarkLsn(),
                clock.millis()));
      }
    } catch (IsleException ex) {
      // The edit is committed; snapshots and CURRENT only speed up opening. Try again next time.
      LOG.warn(
          "could not write snapshot/CURRENT after version {}: {}", head.seq(), ex.getMessage());
    }
  }
}
