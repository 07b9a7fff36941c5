package io.isledb.inspect;

import io.isledb.util.Internal;
import java.util.List;

/**
 * What a GC pass would delete (see {@link Inspector#gcDryRun}).
 *
 * @param head the newest version
 * @param base the retained window's base
 * @param candidates the objects it would delete, in name order
 * @param unreadable pins or leases it could not read (it then fails closed)
 * @param notes what else a pass would do, or could not be previewed
 */
@Internal
public record GcPreview(
    long head, long base, List<Candidate> candidates, List<String> unreadable, List<String> notes) {

  /**
   * One object.
   *
   * @param object its name
   * @param size its size in bytes
   * @param reason why it is garbage
   * @param due whether it is old enough to go in the next pass of a long-running collector
   */
  public record Candidate(String object, long size, String reason, boolean due) {}
}
