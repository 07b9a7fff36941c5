package io.isledb.bench;

/**
 * Sizes of one suite.
 *
 * @param name suite name
 * @param keys keys written by the fills and held by the read database
 * @param readOps point reads per measured run of readrandom-hot and readmissing
 * @param coldReads point reads per measured run of readrandom-cold (each run on a new reader)
 * @param seekOps seeks (each followed by 10 nexts) per measured run
 * @param rwSeconds length of one readwhilewriting run
 * @param writeRate puts per second of the writer in readwhilewriting
 * @param tailCommits commits timed by the tail latency workload
 * @param tailBatch puts per commit in the tail latency workload
 * @param tailBacklog changes the tail throughput workload catches up on
 * @param visibilityIterations flush-to-visible measurements
 * @param idleSeconds length of the idle request-cost window
 * @param runs measured runs per workload (after one warm-up)
 * @param rawBytes bytes moved per raw storage measurement
 */
public record Scale(
    String name,
    long keys,
    long readOps,
    int coldReads,
    long seekOps,
    int rwSeconds,
    int writeRate,
    int tailCommits,
    int tailBatch,
    int tailBacklog,
    int visibilityIterations,
    int idleSeconds,
    int runs,
    long rawBytes) {

  /** The standard suite: about 0.4 GiB per fill, scaled to a 2-core machine. */
  public static Scale standard() {
    return new Scale(
        "standard",
        1_000_000,
        1_000_000,
        3_000,
        100_000,
        10,
        20_000,
        100,
        1_000,
        200_000,
        200,
        30,
        3,
        512L << 20);
  }

  /** A tiny suite for smoke tests of the harness (seconds). */
  public static Scale quick() {
    return new Scale(
        "quick", 20_000, 20_000, 100, 2_000, 1, 2_000, 5, 100, 2_000, 5, 2, 1, 8L << 20);
  }

  /** The suite of that name. */
  public static Scale named(String name) {
    return switch (name) {
      case "standard" -> standard();
      case "quick" -> quick();
      default -> throw new IllegalArgumentException("unknown suite " + name);
    };
  }
}
