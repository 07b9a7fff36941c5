package io.isledb.db.compaction;

import io.isledb.CompactionFilter;
import io.isledb.IsleException;
import io.isledb.db.BlobRef;
import io.isledb.sst.ValueKind;

/**
 * Applies a {@link CompactionFilter} to one compaction's live entries: inline values are passed as
 * written, blob references are decoded to the value's length (the filter never sees them), and a
 * filter that answers nothing fails the compaction instead of guessing.
 */
final class Filtering {
  private final CompactionFilter filter;
  private final long now;
  private final String where;
  private final boolean keepsAll;

  Filtering(CompactionFilter filter, long now, String where) {
    this.filter = filter;
    this.now = now;
    this.where = where;
    this.keepsAll = filter == CompactionFilter.keepAll();
  }

  /** Whether the filter drops the live entry {@code key} of kind {@code kind}. */
  boolean drops(byte[] key, ValueKind kind, byte[] value) {
    if (keepsAll) {
      return false;
    }
    CompactionFilter.Decision d =
        kind.isBlob()
            ? filter.filterLargeValue(key, BlobRef.decode(value, where).length(), now)
            : filter.filter(key, value, now);
    if (d == null) {
      throw new IsleException(
          IsleException.Kind.INTERNAL,
          "compaction filter "
              + filter.getClass().getName()
              + " returned no decision ("
              + where
              + ")");
    }
    return d == CompactionFilter.Decision.DROP;
  }
}
