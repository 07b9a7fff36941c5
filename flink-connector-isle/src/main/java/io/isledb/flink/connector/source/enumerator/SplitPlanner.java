package io.isledb.flink.connector.source.enumerator;

import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.PinOptions;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.ScanSplit;
import io.isledb.TailPosition;
import io.isledb.flink.connector.codec.KeyRange;
import io.isledb.flink.connector.source.internal.ScanConfig;
import io.isledb.flink.connector.source.split.IsleSplit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Plans a source's splits once, at its first start, and writes the pins that keep what they read.
 */
final class SplitPlanner {
  /** The version planned at, the pin name and the splits. */
  record Plan(long version, String pinName, List<IsleSplit> splits) {}

  private SplitPlanner() {}

  /**
   * Bounded: pins {@code version} (newest or {@code scan.startup.version}) as {@code name} and cuts
   * it into {@code parallelism * splitsPerSubtask} key ranges. Unbounded 'full': cuts the newest
   * version into {@code parallelism} ranges, each scanned then tailed by one split; 'latest' and
   * 'version': one split tailing the whole key range. Each unbounded split gets its history pin
   * {@code name-<index>} at the version its tail starts after.
   */
  static Plan plan(IsleDB db, ScanConfig c, int parallelism, String name, String owner) {
    PinOptions opts = PinOptions.defaults().withOwner(owner).withTtl(c.pinTtl());
    String uri = c.location().uri();
    if (c.bounded()) {
      long v = c.startupVersion() != null ? c.startupVersion() : db.currentVersion();
      if (v == 0) {
        return new Plan(0, name, List.of()); // nothing was ever committed: nothing to read
      }
      try {
        db.pin(name, v, opts);
      } catch (IsleException e) {
        throw notRetained(uri, v, e);
      }
      List<IsleSplit> splits = new ArrayList<>();
      for (byte[][] r :
          perRange(c, ranges(db, c, v, parallelism * Math.max(1, c.splitsPerSubtask())))) {
        splits.add(withRanges(IsleSplit.bounded(splits.size(), v, r[0], r[1]), c, r));
      }
      return new Plan(v, name, splits);
    }
    long current = db.currentVersion();
    long v;
    List<byte[][]> ranges;
    long snapshot = -1;
    switch (c.startupMode()) {
      case FULL -> {
        v = current;
        if (v > 0) {
          ranges = ranges(db, c, v, parallelism);
          snapshot = v;
        } else {
          ranges = List.<byte[][]>of(new byte[][] {c.fromKey(), c.toKey()});
        }
      }
      case LATEST -> {
        v = current;
        ranges = List.<byte[][]>of(new byte[][] {c.fromKey(), c.toKey()});
      }
      case VERSION -> {
        if (c.startupVersion() == null) {
          throw IsleException.invalidArgument(
              "scan.startup.mode 'version' needs scan.startup.version (reading " + uri + ")");
        }
        v = c.startupVersion();
        if (v < 0 || v > current) {
          throw IsleException.invalidArgument(
              "scan.startup.version "
                  + v
                  + " of "
                  + uri
                  + " does not exist: the newest version is "
                  + current);
        }
        ranges = List.<byte[][]>of(new byte[][] {c.fromKey(), c.toKey()});
      }
      default -> throw IsleException.invalidArgument("unknown startup mode " + c.startupMode());
    }
    TailPosition tail = new TailPosition(v + 1, 0);
    List<IsleSplit> splits = new ArrayList<>();
    for (byte[][] r : perRange(c, ranges)) {
      int i = splits.size();
      String pin = name + "-" + i;
      try {
        db.pinHistory(pin, v, opts);
      } catch (IsleException e) {
        throw notRetained(uri, v, e);
      }
      splits.add(withRanges(IsleSplit.unbounded(i, r[0], r[1], snapshot, tail, pin), c, r));
    }
    return new Plan(v, name, splits);
  }

  /** The error for a version that cannot be read (any more). */
  static IsleException notRetained(String uri, long version, IsleException cause) {
    if (cause.kind() != IsleException.Kind.INVALID_ARGUMENT) {
      return cause;
    }
    return new IsleException(
        IsleException.Kind.INVALID_ARGUMENT,
        "cannot read version "
            + version
            + " of "
            + uri
            + ": it is not retained (collected by GC, or never written): "
            + cause.getMessage(),
        cause);
  }

  /** The key ranges of {@code version}'s splits, clipped to the configured key range. */
  private static List<byte[][]> ranges(IsleDB db, ScanConfig c, long version, int n) {
    List<byte[][]> out = new ArrayList<>();
    try (Reader reader = db.openReader(ReaderOptions.defaults().withOffHeapBlockCache(false));
        ReadView view = reader.openVersion(version)) {
      for (ScanSplit s : view.splits(Math.max(1, n))) {
        byte[] lo = max(s.fromInclusive(), c.fromKey());
        byte[] hi = min(s.toExclusive(), c.toKey());
        if (lo == null || hi == null || Arrays.compareUnsigned(lo, hi) < 0) {
          out.add(new byte[][] {lo, hi});
        }
      }
    } catch (IsleException e) {
      throw notRetained(c.location().uri(), version, e);
    }
    if (out.isEmpty()) {
      out.add(new byte[][] {c.fromKey(), c.toKey()}); // an empty range still gets one split
    }
    return out;
  }

  /**
   * With disjoint key ranges configured: the planned ranges that hold any of them, each narrowed to
   * the hull of the configured ranges inside it (a planned range between them gets no split at
   * all); if none holds any, one empty range (an empty read still gets one split).
   */
  private static List<byte[][]> perRange(ScanConfig c, List<byte[][]> planned) {
    if (c.keyRanges() == null) {
      return planned;
    }
    List<byte[][]> out = new ArrayList<>();
    for (byte[][] r : planned) {
      List<KeyRange> in = clip(r[0], r[1], c.keyRanges());
      if (!in.isEmpty()) {
        out.add(new byte[][] {in.get(0).fromInclusive(), in.get(in.size() - 1).toExclusive()});
      }
    }
    if (out.isEmpty()) {
      out.add(new byte[][] {new byte[] {0}, new byte[] {0}});
    }
    return out;
  }

  /** {@code split} reading only the configured ranges inside its bounds {@code r}. */
  private static IsleSplit withRanges(IsleSplit split, ScanConfig c, byte[][] r) {
    if (c.keyRanges() == null) {
      return split;
    }
    List<KeyRange> in = clip(r[0], r[1], c.keyRanges());
    if (in.size() == 1 && in.get(0).equals(new KeyRange(r[0], r[1]))) {
      return split; // exactly its bounds
    }
    return split.withRanges(in);
  }

  /** The parts of {@code ranges} inside {@code [lo, hi)}, in key order. */
  static List<KeyRange> clip(byte[] lo, byte[] hi, List<KeyRange> ranges) {
    List<KeyRange> out = new ArrayList<>();
    for (KeyRange k : ranges) {
      byte[] a = max(k.fromInclusive(), lo);
      byte[] b = min(k.toExclusive(), hi);
      KeyRange x = new KeyRange(a, b);
      if (!x.isEmpty()) {
        out.add(x);
      }
    }
    return out;
  }

  private static byte[] max(byte[] a, byte[] b) {
    if (a == null) {
      return b;
    }
    return b == null || Arrays.compareUnsigned(a, b) >= 0 ? a : b;
  }

  private static byte[] min(byte[] a, byte[] b) {
    if (a == null) {
      return b;
    }
    return b == null || Arrays.compareUnsigned(a, b) <= 0 ? a : b;
  }
}
