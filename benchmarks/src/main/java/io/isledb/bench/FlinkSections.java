package io.isledb.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The "Flink" section of {@code BENCHMARKS.md} as {@link Report} places it, and its charts: one
 * part per Flink workload group ({@link FlinkReport} for flink-state, {@link FlinkRestoreReport}
 * for flink-restore, {@link FlinkJobReport} for flink-job, {@link ConnectorReport} for
 * flink-connector), then {@link S3ServerReport} for the S3 server's CPU in all of them. A group
 * adds its part here, not in {@link Report}.
 */
final class FlinkSections {
  private FlinkSections() {}

  /**
   * Whether a result belongs to a Flink group ({@code details.group} starting with {@code flink-}):
   * those have tables of their own, not rows among the engine workloads.
   */
  static boolean isFlink(Map<String, Object> result) {
    return String.valueOf(Report.path(result, "details", "group")).startsWith("flink-");
  }

  /** The markdown of the section; empty if the run had no Flink group. */
  static String section(Map<String, Object> doc) {
    String state = FlinkReport.section(doc);
    String others =
        FlinkRestoreReport.section(doc, false)
            + FlinkJobReport.section(doc)
            + ConnectorReport.section(doc)
            + S3ServerReport.section(doc);
    if (!others.isEmpty() && state.isEmpty()) {
      return "## Flink\n\n" + others;
    }
    return state + others;
  }

  /** Writes the charts of the groups the run had into {@code docs}. */
  static void charts(Map<String, Object> doc, Path docs) throws IOException {
    FlinkReport.chart(doc, docs.resolve(FlinkReport.CHART));
    FlinkJobReport.chart(doc, docs.resolve(FlinkJobReport.CHART));
    ConnectorReport.chart(doc, docs.resolve(ConnectorReport.CHART));
  }
}
