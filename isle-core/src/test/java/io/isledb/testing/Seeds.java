package io.isledb.testing;

/**
 * Seeds for randomized tests: fixed by default so runs repeat; {@code -Disledb.test.seed=N} replays
 * a reported failure. Every randomized assertion message includes the seed.
 */
public final class Seeds {
  private Seeds() {}

  /** The seed to use, {@code defaultSeed} unless overridden on the command line. */
  public static long seed(long defaultSeed) {
    String s = System.getProperty("isledb.test.seed");
    return s == null || s.isEmpty() ? defaultSeed : Long.parseLong(s);
  }

  /** Whether the long versions of soak and crash tests were requested. */
  public static boolean longRun() {
    return Boolean.getBoolean("isledb.test.long");
  }
}
