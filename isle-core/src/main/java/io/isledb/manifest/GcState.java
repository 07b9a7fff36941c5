package io.isledb.manifest;

import io.isledb.util.Internal;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a GC instance writes about itself after each pass, for operators (docs/FORMAT.md, "GC
 * state"; encoded by {@link GcStateCodec}): its marks ({@link Pending}, {@code
 * manifest/gc/pending-sst/pending.json}) and its progress ({@link Checkpoint}, {@code
 * manifest/gc/checkpoint.json}). Every time in them is a reading of the writing instance's clock,
 * which no other instance can compare with its own: no GC reads them back.
 */
@Internal
public final class GcState {
  private GcState() {}

  /**
   * The marks of GC instance {@code author} (fence epoch {@code epoch}).
   *
   * @param marks object name to the clock reading that first found it unreferenced, by name
   */
  public record Pending(String author, long epoch, SortedMap<String, Long> marks) {
    public Pending {
      Objects.requireNonNull(author, "author");
      marks = Collections.unmodifiableSortedMap(new TreeMap<>(marks));
    }
  }

  /**
   * The progress of GC instance {@code author} (fence epoch {@code epoch}) after a pass.
   *
   * @param timeMillis the pass's {@code now}
   * @param version the head the pass collected at
   * @param base the snapshot every retained version replays from
   * @param leases what the instance saw of each lease, in the order it keeps them
   */
  public record Checkpoint(
      String author, long epoch, long timeMillis, long version, long base, List<LeaseSeen> leases) {
    public Checkpoint {
      Objects.requireNonNull(author, "author");
      leases = List.copyOf(leases);
    }
  }

  /**
   * GC's observation of one lease.
   *
   * @param name the lease's object name
   * @param refresh the lease's {@code refresh} when last read
   * @param sinceMillis the clock reading (taken after the read) that first found that refresh
   * @param ttlMillis the lease's ttl
   */
  public record LeaseSeen(String name, long refresh, long sinceMillis, long ttlMillis) {
    public LeaseSeen {
      Objects.requireNonNull(name, "name");
    }
  }
}
