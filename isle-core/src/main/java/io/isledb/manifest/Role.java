package io.isledb.manifest;

import io.isledb.CorruptionException;
import io.isledb.util.Internal;

/**
 * A role that appends to the manifest log. Each role is fenced separately: at most one live
 * instance per role, the one holding the newest epoch. The ids are persisted: never change them.
 */
@Internal
public enum Role {
  /** Adds tables: memtable flushes and external (committed) tables. */
  WRITER("writer"),
  /** Merges tables into sorted runs. */
  COMPACTOR("compactor"),
  /** Drops whole tables by age or time window. */
  RETENTION("retention"),
  /** Deletes unreferenced objects; appends only fences. */
  GC("gc"),
  /**
   * Not an instance but a mark: its one fence retires the database (docs/PROTOCOL.md section 9,
   * "Retired sources"). No edit is applied after it; GC then deletes the prefix whole.
   */
  RETIRED("retired");

  private final String id;

  Role(String id) {
    this.id = id;
  }

  /** The persisted id. */
  public String id() {
    return id;
  }

  /** The role with persisted id {@code id}. */
  public static Role fromId(String id) {
    for (Role r : values()) {
      if (r.id.equals(id)) {
        return r;
      }
    }
    throw new CorruptionException("unknown manifest role '" + id + "'");
  }
}
