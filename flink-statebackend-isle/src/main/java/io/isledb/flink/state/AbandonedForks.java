package io.isledb.flink.state;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.PinInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.runtime.state.KeyGroupRange;

/**
 * Finds the forks an attempt abandoned: a restore by fork whose attempt failed before a checkpoint
 * of it completed restores the same checkpoint again into new forks, and the abandoned forks keep
 * their fork pins on the old databases (docs/flink-statebackend.md "Abandoned forks").
 *
 * <p>A forked database's prefix ends in the key groups it holds ({@link #childOf}). Once a
 * checkpoint holding this backend's database completed, a database of the same job and operator
 * (same parent prefix) that holds a fork pin on one of this backend's sources and whose key groups
 * overlap this backend's was forked by an earlier attempt and is in no completed checkpoint: the
 * subtasks of one checkpoint hold disjoint key groups, and the JobManager restores the latest
 * completed checkpoint, so the checkpoint that was forked again had no completed successor when
 * this backend's database was forked, and none of the earlier attempt's databases can be in a later
 * one. Every abandoned fork overlaps some subtask of the completed checkpoint (together they hold
 * every key group), so each is found.
 */
final class AbandonedForks {
  /** Persisted in pin owners (docs/PROTOCOL.md section 9): a fork's pin names its prefix. */
  private static final String FORK_OWNER = "isledb-fork:";

  /** Persisted (docs/PROTOCOL.md section 9): a fork's pin is named {@code fork-<fork id>}. */
  private static final String FORK_PIN = "fork-";

  private static final Pattern RANGE = Pattern.compile("-kg(\\d+)-(\\d+)$");

  private AbandonedForks() {}

  /** The child name of a forked database holding {@code range}: {@code <child>-kg<start>-<end>}. */
  static String childOf(String child, KeyGroupRange range) {
    return child + "-kg" + range.getStartKeyGroup() + "-" + range.getEndKeyGroup();
  }

  /** The key groups a forked database holds, from its prefix; null for other prefixes. */
  static KeyGroupRange rangeOf(String prefix) {
    Matcher m = RANGE.matcher(prefix);
    if (!m.find()) {
      return null;
    }
    return KeyGroupRange.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  /**
   * The scan entry {@code scan} of the database at {@code forkPrefix} (a source of this backend
   * that is a fork, in the checkpoint this backend restored, whose own scan was not done: a chain
   * of rescales hands it on), as a scan on behalf of that database (kept as is if it already is).
   */
  static String inherited(String scan, String forkPrefix) {
    return scan.indexOf(SEP) >= 0 ? scan : scan + SEP + forkPrefix;
  }

  private static final char SEP = '\u0000';

  /**
   * The abandoned forks holding a pin on one of {@code scans} (source prefixes, or {@link
   * #inherited} entries), seen from {@code db} (holding {@code range}), which is in a completed
   * checkpoint. Per source database: a LIST of its pins and a GET per fork pin (the checkpoints'
   * pins are not read).
   */
  static List<String> find(StateDb db, KeyGroupRange range, List<String> scans, DBOptions options) {
    List<String> out = new ArrayList<>();
    for (String scan : scans) {
      int sep = scan.indexOf(SEP);
      String source = sep < 0 ? scan : scan.substring(0, sep);
      String own = sep < 0 ? db.prefix() : scan.substring(sep + 1);
      KeyGroupRange ownRange = sep < 0 ? range : rangeOf(own);
      if (ownRange == null) {
        continue; // a fork of an earlier build: its key groups are unknown
      }
      String parent = parentOf(own);
      try (ObjectStore store =
          TestHooks.sourceStore(db.resources().openStore(db.storeUri(), source, db.hadoopConf()))) {
        // Opening reads nothing. A source deleted already lists no pins: no look whether it is
        // still there (a LIST more per source). Only fork pins are read: their names say so.
        try (IsleDB sourceDb = IsleDB.open(store, options, db.resources())) {
          for (PinInfo pin : sourceDb.pinInfos(FORK_PIN)) {
            String fork = forkOf(pin);
            KeyGroupRange forkRange = fork == null ? null : rangeOf(fork);
            if (forkRange != null
                && !fork.equals(own)
                && !fork.equals(db.prefix())
                && parentOf(fork).equals(parent)
                && forkRange.getIntersection(ownRange).getNumberOfKeyGroups() > 0
                && !out.contains(fork)) {
              out.add(fork);
            }
          }
        }
      }
    }
    return out;
  }

  private static String forkOf(PinInfo pin) {
    String owner = pin.owner().orElse("");
    return owner.startsWith(FORK_OWNER) ? owner.substring(FORK_OWNER.length()) : null;
  }

  private static String parentOf(String prefix) {
    int slash = prefix.lastIndexOf('/');
    return slash < 0 ? "" : prefix.substring(0, slash);
  }
}
