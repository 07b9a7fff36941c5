package io.isledb.db;

import io.isledb.ObjectStore;
import io.isledb.util.Internal;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a table and its blobs live: this database's store, or, for a table a fork borrows, the
 * store of its home prefix under the same base URI (docs/PROTOCOL.md section 9). Sibling stores
 * share the own store's connections and lifetime, so nothing here needs closing.
 */
@Internal
public final class Homes {
  private final ObjectStore own;
  private final ConcurrentHashMap<String, ObjectStore> others = new ConcurrentHashMap<>();

  public Homes(ObjectStore own) {
    this.own = own;
  }

  /** The store of {@code home}: this database's own for null. */
  public ObjectStore of(String home) {
    return home == null ? own : others.computeIfAbsent(home, own::sibling);
  }
}
