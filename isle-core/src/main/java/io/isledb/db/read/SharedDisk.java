package io.isledb.db.read;

import io.isledb.util.Internal;

/**
 * A database's share of the disk cache of {@link io.isledb.IsleResources}: the one cache every
 * database opened with those resources uses (null when its budget is 0: no disk caching), and the
 * namespace that prefixes this database's table ids in it. Table ids are unique per database only,
 * so the namespace is what keeps two databases' files apart.
 */
@Internal
public record SharedDisk(DiskCache cache, String namespace) {
  /** The id under which table {@code tableId} of this database is cached. */
  String key(String tableId) {
    return namespace + "-" + tableId;
  }
}
