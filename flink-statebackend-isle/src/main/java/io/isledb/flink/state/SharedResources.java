package io.isledb.flink.state;

import io.isledb.IsleResources;
import io.isledb.IsleResourcesOptions;

/**
 * The one {@link IsleResources} of the JVM (a task manager): thread pools, caches and the memtable
 * budget shared by every keyed backend, reference-counted. The first backend creates it with its
 * sizes; the last one to release it closes it. Never a pool per backend.
 */
final class SharedResources {
  private static IsleResources resources;
  private static int references;

  private SharedResources() {}

  /** The shared resources, created with {@code options} if none exist; release it once. */
  static synchronized IsleResources acquire(IsleResourcesOptions options) {
    if (resources == null) {
      resources = IsleResources.create(options);
    }
    references++;
    return resources;
  }

  /** Releases one reference taken by {@link #acquire}; closes the resources at the last one. */
  static synchronized void release(IsleResources r) {
    if (r != resources || references == 0) {
      return;
    }
    if (--references == 0) {
      IsleResources closing = resources;
      resources = null;
      closing.close();
    }
  }

  /** References held now (for tests). */
  static synchronized int references() {
    return references;
  }
}
