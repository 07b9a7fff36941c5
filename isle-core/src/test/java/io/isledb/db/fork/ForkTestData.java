package io.isledb.db.fork;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.IsleDB;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.TreeMap;

/** Data of the retirement and fork crash tests: a small source with blobs, runs and L0 tables. */
public final class ForkTestData {
  /** Keys {@link #key}(0) to {@link #key}(KEYS - 1). */
  public static final int KEYS = 40;

  private ForkTestData() {}

  public static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public static String key(int i) {
    return String.format("k%03d", i);
  }

  /**
   * Three flushes of every key and a compaction after the second (about a third of the values are
   * blobs); the writer closes. Returns the model of the newest version.
   */
  public static TreeMap<String, String> write(IsleDB db, Random rnd) {
    TreeMap<String, String> model = new TreeMap<>();
    try (Writer w =
        db.openWriter(
            WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlobThreshold(512))) {
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < KEYS; i++) {
          String v = key(i) + "@" + round + "x".repeat(rnd.nextInt(3) == 0 ? 600 : 3);
          w.put(b(key(i)), b(v));
          model.put(key(i), v);
        }
        w.flush();
        if (round == 1) {
          try (Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(1))) {
            c.runOnce();
          }
        }
      }
    }
    return model;
  }

  /** The entries of {@code m} in {@code [from, to)} (null: unbounded). */
  public static TreeMap<String, String> clip(TreeMap<String, String> m, String from, String to) {
    if (from == null && to == null) {
      return new TreeMap<>(m);
    }
    if (from == null) {
      return new TreeMap<>(m.headMap(to, false));
    }
    return new TreeMap<>(to == null ? m.tailMap(from, true) : m.subMap(from, to));
  }
}
