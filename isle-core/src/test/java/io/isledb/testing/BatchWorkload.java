package io.isledb.testing;

import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ReadView;
import io.isledb.Writer;
import io.isledb.util.Bytes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

/**
 * A deterministic, self-describing write workload for crash, fencing and soak tests. Batch {@code
 * b} (1, 2, ...) is a list of puts and deletes over the keys {@code <prefix>k0000...} computed only
 * from the seed and {@code b}, followed by a put of the batch marker {@code <prefix>!batch = b}. A
 * writer flushes once per batch, so a batch is one commit: after any crash the marker names the
 * last committed batch {@code M}, and the whole key range must equal the fold of batches {@code
 * 1..M} ({@link #expected}); a partially visible batch cannot match it. Anyone (child writer,
 * parent checker, concurrent readers) can compute any batch, so no bookkeeping crosses processes.
 *
 * <p>Puts carry values that name their batch and key; about one in {@code blobEvery} is large
 * enough to become a blob; one in ten has a TTL ({@link #TTL}) that no test's clock reaches, so the
 * expiring paths of the format are exercised while {@link #expected} stays independent of time.
 */
public final class BatchWorkload {
  /**
   * The TTL of expiring puts: far beyond any fake clock. Tests move their clocks by hours; the long
   * pinned-reader run moves its clock by more than 6 hours, which was this TTL once, and its pinned
   * view then correctly hid expired keys that the expectation still listed.
   */
  public static final Duration TTL = Duration.ofDays(3650);

  /** One write. {@code value == null} is a delete. */
  public record Op(byte[] key, byte[] value, boolean ttl) {}

  private final long seed;
  private final String prefix;
  private final int keySpace;
  private final int maxOps;
  private final int blobSize;
  private final int blobEvery;
  private final byte[] marker;

  /** Per key: batch -> value (null = deleted), for every batch generated so far. */
  private final TreeMap<byte[], TreeMap<Long, byte[]>> history = new TreeMap<>(Bytes.COMPARATOR);

  private long generated;

  /**
   * @param prefix every key starts with it (so several workloads can share a database)
   * @param keySpace distinct keys
   * @param maxOps a batch has 1 to maxOps writes before its marker
   * @param blobSize the size of large values (make it at least the writer's blob threshold)
   * @param blobEvery one put in about this many is large (0: none)
   */
  public BatchWorkload(
      long seed, String prefix, int keySpace, int maxOps, int blobSize, int blobEvery) {
    this.seed = seed;
    this.prefix = prefix;
    this.keySpace = keySpace;
    this.maxOps = maxOps;
    this.blobSize = blobSize;
    this.blobEvery = blobEvery;
    this.marker = (prefix + "!batch").getBytes(StandardCharsets.UTF_8);
  }

  /** The standard workload of the crash tests. */
  public static BatchWorkload standard(long seed, String prefix) {
    return new BatchWorkload(seed, prefix, 400, 60, 6000, 12);
  }

  /** The key holding the number of the last committed batch. */
  public byte[] markerKey() {
    return marker.clone();
  }

  /** The first key of this workload's range. */
  public byte[] from() {
    return prefix.getBytes(StandardCharsets.UTF_8);
  }

  /** The end (exclusive) of this workload's range. */
  public byte[] to() {
    byte[] p = from();
    byte[] t = Arrays.copyOf(p, p.length);
    t[t.length - 1]++;
    return t;
  }

  public byte[] key(int i) {
    return String.format("%sk%04d", prefix, i).getBytes(StandardCharsets.UTF_8);
  }

  /** The writes of batch {@code b} (without the marker), in order. */
  public List<Op> batch(long b) {
    if (b < 1) {
      throw new IllegalArgumentException("batches start at 1, got " + b);
    }
    Random r = new Random(seed * 1_000_003L + b);
    int n = 1 + r.nextInt(maxOps);
    List<Op> ops = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int k = r.nextInt(keySpace);
      int kind = r.nextInt(100);
      if (kind < 20) {
        ops.add(new Op(key(k), null, false));
        continue;
      }
      String head = "b" + b + "/" + i + "/k" + k + "/";
      int size = blobEvery > 0 && r.nextInt(blobEvery) == 0 ? blobSize : 8 + r.nextInt(120);
      byte[] v =
          Arrays.copyOf(head.getBytes(StandardCharsets.UTF_8), Math.max(size, head.length()));
      for (int j = head.length(); j < v.length; j++) {
        v[j] = (byte) ('a' + r.nextInt(26));
      }
      ops.add(new Op(key(k), v, kind < 30));
    }
    return ops;
  }

  /** Writes batch {@code b} and its marker (does not flush). */
  public void write(Writer w, long b) {
    for (Op op : batch(b)) {
      if (op.value == null) {
        w.delete(op.key);
      } else if (op.ttl) {
        w.put(op.key, op.value, TTL);
      } else {
        w.put(op.key, op.value);
      }
    }
    w.put(marker, markerValue(b));
  }

  /** The marker's value for batch {@code b}. */
  public static byte[] markerValue(long b) {
    return Long.toString(b).getBytes(StandardCharsets.UTF_8);
  }

  /** The last committed batch seen by {@code view} (0 if none). */
  public long committedBatch(ReadView view) {
    return view.get(marker)
        .map(v -> Long.parseLong(new String(v, StandardCharsets.UTF_8)))
        .orElse(0L);
  }

  private synchronized void generateUpTo(long m) {
    while (generated < m) {
      long b = ++generated;
      for (Op op : batch(b)) {
        history.computeIfAbsent(op.key, k -> new TreeMap<>()).put(b, op.value);
      }
      history.computeIfAbsent(marker, k -> new TreeMap<>()).put(b, markerValue(b));
    }
  }

  /** The value of {@code key} after batches {@code 1..m}. */
  public synchronized Optional<byte[]> expectedValue(byte[] key, long m) {
    generateUpTo(m);
    TreeMap<Long, byte[]> h = history.get(key);
    if (h == null) {
      return Optional.empty();
    }
    Map.Entry<Long, byte[]> e = h.floorEntry(m);
    return e == null || e.getValue() == null ? Optional.empty() : Optional.of(e.getValue());
  }

  /** The contents of this workload's key range after batches {@code 1..m}, in key order. */
  public synchronized List<KV> expected(long m) {
    generateUpTo(m);
    List<KV> out = new ArrayList<>();
    for (Map.Entry<byte[], TreeMap<Long, byte[]>> e : history.entrySet()) {
      Map.Entry<Long, byte[]> v = e.getValue().floorEntry(m);
      if (v != null && v.getValue() != null) {
        out.add(new KV(e.getKey(), v.getValue()));
      }
    }
    return out;
  }

  /** Everything {@code view} holds in this workload's key range. */
  public List<KV> scan(ReadView view) {
    List<KV> out = new ArrayList<>();
    try (KvIterator it = view.scan(from(), to())) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  /**
   * Null if {@code actual} equals the state after {@code m} batches, else a description of the
   * first difference (keys and values shown readably).
   */
  public String diff(List<KV> actual, long m) {
    List<KV> exp = expected(m);
    int n = Math.min(exp.size(), actual.size());
    for (int i = 0; i < n; i++) {
      KV a = actual.get(i);
      KV e = exp.get(i);
      if (!Arrays.equals(a.key(), e.key())) {
        return "at #"
            + i
            + " expected key "
            + Bytes.describe(e.key())
            + " but found key "
            + Bytes.describe(a.key());
      }
      if (!Arrays.equals(a.value(), e.value())) {
        return "key "
            + Bytes.describe(a.key())
            + " expected value "
            + head(e.value())
            + " but found "
            + head(a.value());
      }
    }
    if (exp.size() != actual.size()) {
      return "expected "
          + exp.size()
          + " keys but found "
          + actual.size()
          + (exp.size() > n
              ? "; first missing " + Bytes.describe(exp.get(n).key())
              : "; first extra " + Bytes.describe(actual.get(n).key()));
    }
    return null;
  }

  private static String head(byte[] v) {
    String s = new String(v, 0, Math.min(v.length, 40), StandardCharsets.UTF_8);
    return "'" + s + (v.length > 40 ? "...' (" + v.length + " bytes)" : "'");
  }
}
