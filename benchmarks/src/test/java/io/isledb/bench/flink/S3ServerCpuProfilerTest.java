package io.isledb.bench.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.bench.S3ServerCpu;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.IterationResultMetaData;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ResultRole;
import org.openjdk.jmh.results.ThroughputResult;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.WorkloadParams;
import org.openjdk.jmh.runner.options.TimeValue;

class S3ServerCpuProfilerTest {
  @AfterEach
  void forgetServer() {
    System.clearProperty(S3ServerCpu.PID_PROPERTY);
  }

  private static BenchmarkParams params(String backend) {
    WorkloadParams w = new WorkloadParams();
    w.put("backend", backend, 0);
    IterationParams it = new IterationParams(IterationType.MEASUREMENT, 1, TimeValue.seconds(1), 1);
    return new BenchmarkParams(
        "io.isledb.bench.flink.ValueStateBenchmarks.get",
        "generated",
        false,
        1,
        new int[] {1},
        List.of(),
        1,
        0,
        it,
        it,
        Mode.Throughput,
        w,
        TimeUnit.SECONDS,
        1,
        "java",
        List.of(),
        "17",
        "vm",
        "17",
        "1.37",
        TimeValue.minutes(1));
  }

  /** One iteration: burns this JVM's CPU (the stand-in server) by 50 ms, at 1,000 ops/s. */
  private static Map<String, Double> iteration(S3ServerCpuProfiler p, String backend) {
    BenchmarkParams b = params(backend);
    IterationParams it = b.getMeasurement();
    p.beforeIteration(b, it);
    long start = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    long x = 0;
    while (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime()
            - start
        < 50_000_000L) {
      for (int i = 0; i < 1_000_000; i++) {
        x += i * 31L ^ x;
      }
    }
    IterationResult r = new IterationResult(b, it, new IterationResultMetaData(x, x));
    r.addResult(
        new ThroughputResult(ResultRole.PRIMARY, "get", 1000, 1_000_000_000L, TimeUnit.SECONDS));
    List<Result> out = new ArrayList<>(p.afterIteration(b, it, r));
    Map<String, Double> m = new java.util.TreeMap<>();
    out.forEach(res -> m.put(res.getLabel(), res.getScore()));
    return m;
  }

  @Test
  void reportsTheServersCpuPerOperationAndItsCoresForIsleS3aOnly() {
    System.setProperty(S3ServerCpu.PID_PROPERTY, Long.toString(ProcessHandle.current().pid()));
    S3ServerCpuProfiler p = new S3ServerCpuProfiler();
    Map<String, Double> s3a = iteration(p, "isle-s3a");
    assertThat(s3a).containsOnlyKeys(S3ServerCpuProfiler.RESULT, S3ServerCpuProfiler.CORES);
    double cores = s3a.get(S3ServerCpuProfiler.CORES);
    assertThat(cores).isPositive(); // the iteration burnt 50 ms; the share depends on the load
    // Both come from the same span: us/op x ops/s = CPU us per second = cores x 1e6.
    assertThat(s3a.get(S3ServerCpuProfiler.RESULT) * 1000).isCloseTo(cores * 1e6, withinPercent());
    assertThat(iteration(p, "isle-file")).isEmpty();
    assertThat(iteration(p, "rocksdb")).isEmpty();
  }

  @Test
  void reportsNothingWithoutAServer() {
    assertThat(iteration(new S3ServerCpuProfiler(), "isle-s3a")).isEmpty();
  }

  private static org.assertj.core.data.Percentage withinPercent() {
    return org.assertj.core.data.Percentage.withPercentage(0.001);
  }
}
