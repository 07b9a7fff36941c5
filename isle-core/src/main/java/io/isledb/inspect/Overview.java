package io.isledb.inspect;

import io.isledb.util.Internal;
import java.util.List;
import java.util.OptionalLong;

/**
 * What a prefix holds, from listings only.
 *
 * @param location the store's location
 * @param head the newest version
 * @param logEdits the retained log slots, ascending (the oldest openable version without a pin is
 *     the first, or the oldest snapshot)
 * @param snapshots the versions with snapshots, ascending
 * @param gcGracePeriodMillis the recorded GC grace period, if recorded
 * @param sizes object counts and bytes per kind
 */
@Internal
public record Overview(
    String location,
    long head,
    List<Long> logEdits,
    List<Long> snapshots,
    OptionalLong gcGracePeriodMillis,
    List<Sizes> sizes) {

  /**
   * Objects of one kind.
   *
   * @param kind {@code sstable}, {@code blobs}, {@code manifest/log}, ... or {@code other}
   * @param objects how many
   * @param bytes their total size
   */
  public record Sizes(String kind, long objects, long bytes) {}
}
