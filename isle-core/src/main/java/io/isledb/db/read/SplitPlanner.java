package io.isledb.db.read;

import io.isledb.IsleException;
import io.isledb.ScanSplit;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;
import io.isledb.util.Bytes;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Splits a version into key ranges of about equal size from its table metadata alone (no storage
 * request). Each table's bytes and entries are assumed spread evenly over its key range, positions
 * within a range being the key bytes after the range's common prefix read as a number; the sum of
 * all tables gives a size distribution over the key space, cut at equal quantiles. A table whose
 * range is a single key is one indivisible point. Ranges that would hold nothing are merged into a
 * neighbour, so an empty database or a single key gives one split.
 */
final class SplitPlanner {
  /** Key bytes after the common prefix that positions and cut keys use. */
  private static final int WIDTH = 16;

  /** A stretch of the key space and the estimated table bytes and entries in it. */
  private record Segment(byte[] lo, byte[] hi, double bytes, double entries, boolean point) {}

  /** A cut key and the estimated bytes and entries below it. */
  private record Cut(byte[] key, double bytesBelow, double entriesBelow) {}

  private SplitPlanner() {}

  static List<ScanSplit> plan(ManifestState state, int maxSplits) {
    if (maxSplits < 1) {
      throw IsleException.invalidArgument("maxSplits must be at least 1, got " + maxSplits);
    }
    List<Segment> segments = segments(state.allTables());
    double totalBytes = 0;
    double totalEntries = 0;
    for (Segment s : segments) {
      totalBytes += s.bytes;
      totalEntries += s.entries;
    }
    List<Cut> cuts = new ArrayList<>();
    cuts.add(new Cut(null, 0, 0));
    if (totalBytes > 0) {
      cut(segments, totalBytes, maxSplits, cuts);
    }
    cuts.add(new Cut(null, totalBytes, totalEntries));
    return splits(state.seq(), cuts);
  }

  /** The size distribution: segments in key order. */
  private static List<Segment> segments(List<SstMeta> tables) {
    TreeSet<byte[]> bounds = new TreeSet<>(Bytes.COMPARATOR);
    for (SstMeta t : tables) {
      bounds.add(t.smallestKey());
      bounds.add(t.largestKey());
    }
    byte[][] b = bounds.toArray(new byte[0][]);
    int m = b.length;
    double[] pointBytes = new double[m];
    double[] pointEntries = new double[m];
    double[] gapBytes = new double[Math.max(0, m - 1)];
    double[] gapEntries = new double[gapBytes.length];
    for (SstMeta t : tables) {
      int lo = Arrays.binarySearch(b, t.smallestKey(), Bytes.COMPARATOR);
      int hi = Arrays.binarySearch(b, t.largestKey(), Bytes.COMPARATOR);
      if (lo == hi) {
        pointBytes[lo] += t.size();
        pointEntries[lo] += t.entries();
        continue;
      }
      int p = commonPrefix(t.smallestKey(), t.largestKey());
      BigInteger base = position(t.smallestKey(), p);
      double span = position(t.largestKey(), p).subtract(base).doubleValue();
      for (int i = lo; i < hi; i++) {
        double share =
            span > 0
                ? position(b[i + 1], p).subtract(position(b[i], p)).doubleValue() / span
                : 1.0 / (hi - lo);
        gapBytes[i] += t.size() * share;
        gapEntries[i] += t.entries() * share;
      }
    }
    List<Segment> out = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      if (pointBytes[i] > 0) {
        out.add(new Segment(b[i], b[i], pointBytes[i], pointEntries[i], true));
      }
      if (i < m - 1 && gapBytes[i] > 0) {
        out.add(new Segment(b[i], b[i + 1], gapBytes[i], gapEntries[i], false));
      }
    }
    return out;
  }

  /** Adds the cuts at the {@code n - 1} inner quantiles, strictly increasing. */
  private static void cut(List<Segment> segments, double total, int n, List<Cut> cuts) {
    double below = 0;
    double entriesBelow = 0;
    int k = 1;
    byte[] last = new byte[0]; // nothing sorts below the empty key: no cut there
    for (Segment s : segments) {
      while (k < n && total * k / n < below + s.bytes) {
        double f = (total * k / n - below) / s.bytes;
        k++;
        Cut c;
        if (!s.point) {
          c =
              new Cut(
                  interpolate(s.lo, s.hi, f), below + f * s.bytes, entriesBelow + f * s.entries);
        } else if (f < 0.5) {
          c = new Cut(s.lo, below, entriesBelow);
        } else {
          c = new Cut(successor(s.lo), below + s.bytes, entriesBelow + s.entries);
        }
        if (Bytes.compare(c.key, last) > 0) {
          cuts.add(c);
          last = c.key;
        }
      }
      below += s.bytes;
      entriesBelow += s.entries;
    }
  }

  /** Splits between consecutive cuts; a split estimated empty is merged into a neighbour. */
  private static List<ScanSplit> splits(long version, List<Cut> cuts) {
    List<long[]> sizes = new ArrayList<>(); // {bytes, entries} per kept split
    List<byte[]> froms = new ArrayList<>();
    for (int i = 0; i + 1 < cuts.size(); i++) {
      long bytes = Math.round(cuts.get(i + 1).bytesBelow) - Math.round(cuts.get(i).bytesBelow);
      long entries =
          Math.round(cuts.get(i + 1).entriesBelow) - Math.round(cuts.get(i).entriesBelow);
      int last = sizes.size() - 1;
      if (last >= 0 && (bytes <= 0 || sizes.get(last)[0] <= 0)) {
        sizes.get(last)[0] += Math.max(0, bytes);
        sizes.get(last)[1] += Math.max(0, entries);
      } else {
        sizes.add(new long[] {Math.max(0, bytes), Math.max(0, entries)});
        froms.add(cuts.get(i).key);
      }
    }
    List<ScanSplit> out = new ArrayList<>(sizes.size());
    for (int i = 0; i < sizes.size(); i++) {
      byte[] to = i + 1 < froms.size() ? froms.get(i + 1) : null;
      out.add(new ScanSplit(version, i, froms.get(i), to, sizes.get(i)[0], sizes.get(i)[1]));
    }
    return out;
  }

  private static int commonPrefix(byte[] a, byte[] b) {
    int m = Arrays.mismatch(a, b);
    return m < 0 ? a.length : m;
  }

  /** The {@link #WIDTH} bytes of {@code key} after {@code prefix} bytes (zero-padded), unsigned. */
  private static BigInteger position(byte[] key, int prefix) {
    byte[] w = new byte[WIDTH + 1]; // leading zero byte: non-negative
    int n = Math.max(0, Math.min(WIDTH, key.length - prefix));
    System.arraycopy(key, prefix, w, 1, n);
    return new BigInteger(w);
  }

  /**
   * A key at fraction {@code f} of the way from {@code lo} to {@code hi}; never above {@code hi}.
   * Trailing zero bytes are dropped where the key stays above {@code lo}.
   */
  static byte[] interpolate(byte[] lo, byte[] hi, double f) {
    int p = commonPrefix(lo, hi);
    BigInteger a = position(lo, p);
    BigInteger d = position(hi, p).subtract(a);
    BigInteger c =
        a.add(new BigDecimal(d).multiply(BigDecimal.valueOf(f)).toBigInteger())
            .max(a)
            .min(a.add(d));
    byte[] raw = c.toByteArray(); // big-endian, may have a sign byte or be shorter than WIDTH
    byte[] key = Arrays.copyOf(lo, p + WIDTH);
    Arrays.fill(key, p, key.length, (byte) 0);
    int n = Math.min(raw.length, WIDTH);
    System.arraycopy(raw, raw.length - n, key, p + WIDTH - n, n);
    int end = key.length;
    while (end > p && key[end - 1] == 0) {
      end--;
    }
    byte[] trimmed = Arrays.copyOf(key, end);
    return Bytes.compare(trimmed, lo) > 0 ? trimmed : key;
  }

  private static byte[] successor(byte[] key) {
    return Arrays.copyOf(key, key.length + 1);
  }
}
