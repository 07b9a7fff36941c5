package io.isledb.db;

import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.HookedObjectStore.Op;
import io.isledb.testing.HookedObjectStore.Phase;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link HookedObjectStore} hook that, once armed, stops the first request of a kind whose name
 * starts with a prefix (before it reaches the store) until the test releases it: a process stalled
 * at an exact point of its protocol. With {@code after} set, the gate only arms itself once a
 * request of kind {@code after.op} for {@code after.prefix} has completed.
 */
final class RequestGate implements HookedObjectStore.Hook {
  final Op op;
  final String prefix;
  final AtomicBoolean armed = new AtomicBoolean();
  final CountDownLatch reached = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);
  private final Op afterOp;
  private final String afterPrefix;
  private final AtomicBoolean waitingForAfter = new AtomicBoolean();

  RequestGate(Op op, String prefix) {
    this(op, prefix, null, null);
  }

  /**
   * Stops the first {@code op} request (any name starting with {@code prefix}) after an {@code
   * afterOp} on {@code afterPrefix}.
   */
  RequestGate(Op op, String prefix, Op afterOp, String afterPrefix) {
    this.op = op;
    this.prefix = prefix;
    this.afterOp = afterOp;
    this.afterPrefix = afterPrefix;
  }

  /** Arms a gate built with an {@code after} request: it blocks the first match after that one. */
  void armAfter() {
    waitingForAfter.set(true);
  }

  @Override
  public void on(Op o, Phase phase, String name) {
    if (waitingForAfter.get()
        && o == afterOp
        && phase == Phase.AFTER
        && name.startsWith(afterPrefix)) {
      waitingForAfter.set(false);
      armed.set(true);
      return;
    }
    if (o == op && phase == Phase.BEFORE && name.startsWith(prefix) && armed.get()) {
      armed.set(false);
      reached.countDown();
      await(release);
    }
  }

  static void await(CountDownLatch l) {
    try {
      if (!l.await(60, TimeUnit.SECONDS)) {
        throw new AssertionError("gate not reached within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
