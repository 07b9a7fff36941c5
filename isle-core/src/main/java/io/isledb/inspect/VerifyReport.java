package io.isledb.inspect;

import io.isledb.util.Internal;
import java.util.List;

/**
 * What {@link Inspector#verify} found.
 *
 * @param objects objects checked
 * @param bytes bytes read
 * @param problems every corrupt or missing object, in name order
 */
@Internal
public record VerifyReport(long objects, long bytes, List<Problem> problems) {

  /**
   * One damaged object.
   *
   * @param object the object name (relative to the prefix)
   * @param message what is wrong with it
   */
  public record Problem(String object, String message) {}

  /** Whether nothing was wrong. */
  public boolean clean() {
    return problems.isEmpty();
  }
}
