package io.isledb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class S3ServerCpuTest {
  @AfterEach
  void forgetServer() {
    System.clearProperty(S3ServerCpu.PID_PROPERTY);
  }

  /** Burns this JVM's CPU until its CPU time has grown by {@code nanos} (no clock involved). */
  private static long burnUntilCpuGrows(long nanos) {
    long start = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    long x = 0;
    while (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime()
            - start
        < nanos) {
      for (int i = 0; i < 1_000_000; i++) {
        x += i * 31L ^ x;
      }
    }
    return x;
  }

  @Test
  void withoutAServerNothingIsReadOrRecorded() {
    assertThat(S3ServerCpu.nanos()).isEqualTo(-1);
    assertThat(S3ServerCpu.jvmArgs()).isEmpty();
    Runs r = new Runs("w", "isle-s3a", "s");
    S3ServerCpu.add(r, S3ServerCpu.mark());
    assertThat(r.details).isEmpty();
  }

  @Test
  void readsTheNamedProcessAndRecordsIsleS3aSpansOnly() {
    // This JVM stands in for the server: its CPU time is what the spans must show.
    long self = ProcessHandle.current().pid();
    System.setProperty(S3ServerCpu.PID_PROPERTY, Long.toString(self));
    assertThat(S3ServerCpu.jvmArgs()).containsExactly("-D" + S3ServerCpu.PID_PROPERTY + "=" + self);
    assertThat(S3ServerCpu.nanos()).isPositive();

    Runs s3a = new Runs("job.window", "isle-s3a", "records/s");
    Runs file = new Runs("job.window", "isle-file", "records/s");
    for (int run = 0; run < 2; run++) {
      S3ServerCpu.Mark m = S3ServerCpu.mark();
      burnUntilCpuGrows(50_000_000L);
      S3ServerCpu.add(s3a, m);
      S3ServerCpu.add(file, m);
    }
    assertThat(file.details).isEmpty();
    @SuppressWarnings("unchecked")
    List<Double> cpu = (List<Double>) s3a.details.get(S3ServerCpu.DETAIL);
    @SuppressWarnings("unchecked")
    List<Double> cores = (List<Double>) s3a.details.get(S3ServerCpu.CORES);
    // The spinning thread alone used 50 ms of CPU; /proc counts in 10 ms ticks.
    assertThat(cpu).hasSize(2).allSatisfy(v -> assertThat(v).isGreaterThanOrEqualTo(0.04));
    // How many cores that was depends on the machine's load: only its presence is asserted (the
    // formula is checked exactly with given marks below).
    assertThat(cores).hasSize(2).allSatisfy(v -> assertThat(v).isPositive());
  }

  @Test
  void aSpanBetweenTwoMarksUsesThoseMarks() {
    System.setProperty(S3ServerCpu.PID_PROPERTY, Long.toString(ProcessHandle.current().pid()));
    Runs r = new Runs("stream", "isle-s3a", "ms");
    S3ServerCpu.add(
        r,
        new S3ServerCpu.Mark(1_000_000_000L, 0),
        new S3ServerCpu.Mark(1_500_000_000L, 2_000_000_000L));
    assertThat(r.details.get(S3ServerCpu.DETAIL)).isEqualTo(List.of(0.5));
    assertThat(r.details.get(S3ServerCpu.CORES)).isEqualTo(List.of(0.25));
    // A missing reading (the server's CPU could not be read) records nothing.
    S3ServerCpu.add(r, new S3ServerCpu.Mark(-1, 0), new S3ServerCpu.Mark(5, 10));
    assertThat((List<?>) r.details.get(S3ServerCpu.DETAIL)).hasSize(1);
  }

  @Test
  void theReportListsEveryIsleS3aFlinkResultWithItsServerFigures() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("environment", Map.of("cores", 2));
    doc.put(
        "results",
        List.of(
            result(
                "checkpoint",
                "isle-s3a",
                "flink-restore",
                "s",
                2.5,
                Map.of(
                    S3ServerCpu.DETAIL,
                    List.of(0.4, 0.2, 0.3),
                    S3ServerCpu.CORES,
                    List.of(0.1, 0.3, 0.2))),
            result(
                "map.get/large",
                "isle-s3a",
                "flink-state",
                "ops/s",
                20000.0,
                Map.of(S3ServerCpu.PER_OP, 1.5, S3ServerCpu.CORES, List.of(0.03))),
            result("checkpoint", "isle-file", "flink-restore", "s", 1.0, Map.of()),
            result("job.window", "isle-s3a", "flink-job", "records/s", 50000.0, Map.of()),
            result("fillseq", "isle-s3a", null, "MB/s", 99.0, Map.of())));
    String md = S3ServerReport.section(doc);
    assertThat(md)
        .startsWith("### The S3 server's CPU (isle-s3a)")
        .contains("the machine has 2)")
        .contains("| flink-restore | checkpoint | 2.50 s | 0.30 | 0.200 | n/a |")
        .contains("| flink-state | map.get/large | 20,000 ops/s | n/a | 0.030 | 1.50 |")
        .contains("Not recorded in the runs of flink-job on this page")
        .doesNotContain("isle-file")
        .doesNotContain("fillseq");
  }

  @Test
  void noIsleS3aFlinkResultsNoSection() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put(
        "results", List.of(result("checkpoint", "isle-file", "flink-restore", "s", 1.0, Map.of())));
    assertThat(S3ServerReport.section(doc)).isEmpty();
  }

  private static Map<String, Object> result(
      String workload,
      String engine,
      String group,
      String unit,
      double median,
      Map<String, Object> details) {
    Map<String, Object> d = new LinkedHashMap<>(details);
    if (group != null) {
      d.put("group", group);
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("workload", workload);
    r.put("engine", engine);
    r.put("unit", unit);
    r.put("median", median);
    r.put("details", d);
    return r;
  }
}
