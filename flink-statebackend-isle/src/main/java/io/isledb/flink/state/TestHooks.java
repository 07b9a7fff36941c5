package io.isledb.flink.state;

import java.util.function.LongConsumer;

/**
 * Points inside a checkpoint's asynchronous phase where tests induce failures (package-private, no
 * effect unless a test sets a hook). The hooks are static because MiniCluster tasks run in the
 * test's JVM and the backend is created by Flink, not by the test.
 */
final class TestHooks {
  /**
   * Called with the checkpoint id when the asynchronous phase starts, while the cut's upload may
   * still be running.
   */
  static volatile LongConsumer asyncStart;

  /** Called with the checkpoint id after the cut's version is committed, before the pin. */
  static volatile LongConsumer afterCommit;

  /** Called with the checkpoint id after the pin is written, before the handle is returned. */
  static volatile LongConsumer afterPin;

  /** The clock of the GC passes a backend runs on the old databases it retired (null: system). */
  static volatile java.time.Clock sourceGcClock;

  /**
   * Wraps the store of each old or abandoned database a backend scans, retires or collects (null:
   * none); crash tests make it fail at a chosen request.
   */
  static volatile java.util.function.UnaryOperator<io.isledb.ObjectStore> sourceStores;

  private TestHooks() {}

  static io.isledb.ObjectStore sourceStore(io.isledb.ObjectStore store) {
    java.util.function.UnaryOperator<io.isledb.ObjectStore> hook = sourceStores;
    return hook == null ? store : hook.apply(store);
  }

  static void asyncStart(long checkpointId) {
    LongConsumer hook = asyncStart;
    if (hook != null) {
      hook.accept(checkpointId);
    }
  }

  static void afterCommit(long checkpointId) {
    LongConsumer hook = afterCommit;
    if (hook != null) {
      hook.accept(checkpointId);
    }
  }

  static void afterPin(long checkpointId) {
    LongConsumer hook = afterPin;
    if (hook != null) {
      hook.accept(checkpointId);
    }
  }

  /** Removes every hook. */
  static void reset() {
    asyncStart = null;
    afterCommit = null;
    afterPin = null;
    sourceGcClock = null;
    sourceStores = null;
  }
}
