package io.isledb.util;

import java.util.concurrent.ThreadFactory;

/** Thread helpers shared by the engine's background executors. */
@Internal
public final class Threads {
  private Threads() {}

  /**
   * A factory of daemon threads named {@code name}: background work (flush, refresh, compaction,
   * GC, downloads) must never keep the JVM alive after the application is done with the engine.
   */
  public static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      // Not the starting thread's context class loader (in Flink, a job's, closed with the job).
      t.setContextClassLoader(Threads.class.getClassLoader());
      return t;
    };
  }
}
