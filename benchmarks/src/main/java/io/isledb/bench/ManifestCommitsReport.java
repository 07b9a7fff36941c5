package io.isledb.bench;

import static io.isledb.bench.Report.find;
import static io.isledb.bench.Report.fmt;
import static io.isledb.bench.Report.num;
import static io.isledb.bench.Report.path;
import static io.isledb.bench.Report.ratio;

import java.util.List;
import java.util.Map;

/**
 * The report section of the {@code commit} workload ({@link ManifestCommits}): one row per table
 * store and manifest store, with ratios against the object-store manifest on the same tables in the
 * same run.
 */
final class ManifestCommitsReport {
  static final String TITLE = "## Small commits per manifest store (commit workload)";

  private ManifestCommitsReport() {}

  /** The section's markdown, or "" if the run has no commit results. */
  static String section(Map<String, Object> doc) {
    StringBuilder md = new StringBuilder();
    for (String t : Report.ISLE) {
      Map<String, Object> ref =
          find(doc, ManifestCommits.WORKLOAD, ManifestCommits.engine(t, "object-store"));
      for (String m : ManifestCommits.MANIFESTS) {
        Map<String, Object> r = find(doc, ManifestCommits.WORKLOAD, ManifestCommits.engine(t, m));
        if (r == null) {
          continue;
        }
        if (md.isEmpty()) {
          header(md, r);
        }
        md.append(
            row(
                t,
                m,
                num(path(r, "details", "commit_latency", "p50_us")) / 1000,
                num(path(ref, "details", "commit_latency", "p50_us")) / 1000,
                num(path(r, "details", "commit_latency", "p99_us")) / 1000,
                num(path(ref, "details", "commit_latency", "p99_us")) / 1000,
                num(r.get("median")),
                num(ref == null ? null : ref.get("median")),
                requests(r, ref, "object_store_requests_per_commit"),
                requests(r, ref, "manifest_store_requests_per_commit")));
      }
    }
    return md.isEmpty() ? "" : md.append('\n').toString();
  }

  /**
   * The total requests per commit of {@code key}, its ratio against the same figure of the
   * reference row (the object-store manifest), and the kinds: {@code 1.0 (0.50x): UPLOAD 1.0}.
   */
  static String requests(Map<String, Object> r, Map<String, Object> ref, String key) {
    if (!(path(r, "details", key) instanceof Map<?, ?> m)) {
      return "n/a";
    }
    double total = num(m.get("total"));
    StringBuilder b = new StringBuilder(fmt(total));
    b.append(" (").append(ratio(total, num(path(ref, "details", key, "total")))).append(")");
    String sep = ": ";
    for (var e : m.entrySet()) {
      if (!"total".equals(e.getKey())) {
        b.append(sep).append(e.getKey()).append(' ').append(e.getValue());
        sep = ", ";
      }
    }
    return b.toString();
  }

  private static void header(StringBuilder md, Map<String, Object> first) {
    md.append(TITLE).append("\n\n");
    md.append(
        "One small put and a flush that publishes a manifest version per commit (what a Flink"
            + " checkpoint costs each subtask), on a fresh database with its writer only, "
            + path(first, "details", "commits_per_run")
            + " commits per measured run after a warm-up of half as many. Latency is the flush's;"
            + " commits/s the median of the runs. Ratios (in brackets) are against the object-store"
            + " manifest on the same tables in this run. Requests per commit: on the object store"
            + " (tables, and the manifest when it lives there) and on the manifest store (JDBC"
            + " statements; the object-store row's manifest requests are in its object-store"
            + " figure, so its manifest ratio is n/a). PostgreSQL 14 (Maven Central binaries, isle-core's test server) on"
            + " 127.0.0.1 with fsync off, as in the tests.\n\n");
    md.append(
        "| tables | manifest | p50 ms | p99 ms | commits/s | object-store requests/commit"
            + " | manifest-store requests/commit |\n");
    md.append("| --- | --- | ---: | ---: | ---: | --- | --- |\n");
  }

  private static String row(
      String tables,
      String manifest,
      double p50,
      double refP50,
      double p99,
      double refP99,
      double rate,
      double refRate,
      String storeRequests,
      String manifestRequests) {
    return "| "
        + String.join(
            " | ",
            List.of(
                tables,
                manifest,
                fmt(p50) + " (" + ratio(p50, refP50) + ")",
                fmt(p99) + " (" + ratio(p99, refP99) + ")",
                fmt(rate) + " (" + ratio(rate, refRate) + ")",
                storeRequests,
                manifest.equals("object-store") ? "(in the object store's)" : manifestRequests))
        + " |\n";
  }
}
