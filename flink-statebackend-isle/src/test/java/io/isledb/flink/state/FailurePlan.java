package io.isledb.flink.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A seeded sequence of failures, induced one after the other: each fires at the first chance of its
 * kind once enough elements were processed since the previous one. The checkpoint kinds fail the
 * asynchronous phase of a snapshot through {@link TestHooks} (the checkpoint is declined and, with
 * no tolerated checkpoint failures, the job fails over).
 */
final class FailurePlan {
  enum Kind {
    /** In processElement. */
    PROCESS,
    /** In onTimer. */
    TIMER,
    /** At the start of the asynchronous phase, while the cut's upload may be running. */
    DURING_UPLOAD,
    /** After the cut's version is committed, before it is pinned. */
    AFTER_COMMIT,
    /** After the pin is written, before the handle reaches the JobManager. */
    AFTER_PIN
  }

  final long seed;
  private final List<Kind> kinds;
  private final long[] afterEvents;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicLong events = new AtomicLong();
  final List<String> happened = Collections.synchronizedList(new ArrayList<>());

  FailurePlan(long seed) {
    this(seed, 30, 200);
  }

  /** Each failure after {@code minEvents} plus up to {@code spread} events since the previous. */
  FailurePlan(long seed, int minEvents, int spread) {
    this.seed = seed;
    Random random = new Random(seed);
    kinds =
        new ArrayList<>(
            List.of(
                Kind.PROCESS,
                Kind.TIMER,
                Kind.DURING_UPLOAD,
                Kind.AFTER_COMMIT,
                Kind.AFTER_PIN,
                Kind.AFTER_COMMIT));
    Collections.shuffle(kinds, random);
    afterEvents = new long[kinds.size()];
    for (int i = 0; i < afterEvents.length; i++) {
      afterEvents[i] = minEvents + random.nextInt(spread);
    }
  }

  /**
   * The failures {@code kinds}, in this order, each after {@code minEvents} plus up to {@code
   * spread}.
   */
  FailurePlan(long seed, List<Kind> kinds, int minEvents, int spread) {
    this.seed = seed;
    Random random = new Random(seed);
    this.kinds = new ArrayList<>(kinds);
    afterEvents = new long[kinds.size()];
    for (int i = 0; i < afterEvents.length; i++) {
      afterEvents[i] = minEvents + random.nextInt(spread);
    }
  }

  List<Kind> kinds() {
    return kinds;
  }

  void event() {
    events.incrementAndGet();
  }

  void maybeFail(Kind kind, String where) {
    int i = next.get();
    if (i >= kinds.size() || kinds.get(i) != kind || events.get() < afterEvents[i]) {
      return;
    }
    if (next.compareAndSet(i, i + 1)) {
      events.set(0);
      happened.add(kind + " at " + where);
      throw new RuntimeException("induced failure " + i + " (" + kind + ", seed " + seed + ")");
    }
  }

  /** Routes the backend's snapshot hooks to this plan. */
  void install() {
    TestHooks.asyncStart = id -> maybeFail(Kind.DURING_UPLOAD, "checkpoint " + id);
    TestHooks.afterCommit = id -> maybeFail(Kind.AFTER_COMMIT, "checkpoint " + id);
    TestHooks.afterPin = id -> maybeFail(Kind.AFTER_PIN, "checkpoint " + id);
  }

  @Override
  public String toString() {
    return "FailurePlan{seed=" + seed + ", kinds=" + kinds + ", happened=" + happened + "}";
  }
}
