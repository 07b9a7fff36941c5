package io.isledb.bench.flink;

import io.isledb.bench.S3ServerCpu;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler (runs in each fork) that reports the S3 server's CPU time per operation of each
 * isle-s3a iteration and the cores it used, as the secondary results {@value #RESULT} and {@value
 * #CORES}: the server is another process, so JMH's own figures do not include the cores it takes.
 * Reports nothing for the other backends or when no server is known ({@link S3ServerCpu}).
 */
public final class S3ServerCpuProfiler implements InternalProfiler {
  /** The secondary result's label: server CPU microseconds per operation. */
  public static final String RESULT = "s3-server-cpu";

  /** The secondary result's label: cores the server used on average during the iteration. */
  public static final String CORES = "s3-server-cores";

  private long before = -1;
  private long startNanos;

  /** JMH creates profilers reflectively. */
  public S3ServerCpuProfiler() {}

  @Override
  public String getDescription() {
    return "CPU time of the S3 server process per operation (isle-s3a)";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
    before = "isle-s3a".equals(benchmark.getParam("backend")) ? S3ServerCpu.nanos() : -1;
    startNanos = System.nanoTime();
  }

  @Override
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmark, IterationParams iteration, IterationResult result) {
    long after = S3ServerCpu.nanos();
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    // Throughput mode in ops/s: the operations of the iteration are its score times its length.
    double ops = result.getPrimaryResult().getScore() * seconds;
    if (before < 0 || after < 0 || ops <= 0) {
      return List.of();
    }
    double cpu = after - before;
    return List.of(
        new ScalarResult(RESULT, cpu / 1e3 / ops, "us/op", AggregationPolicy.AVG),
        new ScalarResult(CORES, cpu / 1e9 / seconds, "cores", AggregationPolicy.AVG));
  }
}
