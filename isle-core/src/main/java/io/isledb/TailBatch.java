package io.isledb;

import java.util.List;

/**
 * The result of one poll: changes in commit order and the position to poll from next.
 *
 * @param changes at most the requested number, possibly none
 * @param next where the next poll starts
 */
public record TailBatch(List<Change> changes, TailPosition next) {
  public TailBatch {
    changes = List.copyOf(changes);
  }
}
