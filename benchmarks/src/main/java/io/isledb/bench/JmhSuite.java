package io.isledb.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/** Runs the JMH micro benchmarks of this module (one fork each) and returns their scores. */
public final class JmhSuite {
  private JmhSuite() {}

  /** Runs every {@code *MicroBenchmarks} class; {@code quick} shortens iterations for tests. */
  public static List<Runs> run(boolean quick) throws Exception {
    OptionsBuilder b = new OptionsBuilder();
    b.include("io\\.isledb\\..*MicroBenchmarks\\..*");
    b.shouldFailOnError(true);
    if (quick) {
      b.warmupIterations(1).measurementIterations(1).forks(0);
      b.warmupTime(org.openjdk.jmh.runner.options.TimeValue.milliseconds(100));
      b.measurementTime(org.openjdk.jmh.runner.options.TimeValue.milliseconds(100));
    }
    Options o = b.build();
    Collection<RunResult> results = new Runner(o).run();
    List<Runs> out = new ArrayList<>();
    for (RunResult r : results) {
      String label = r.getParams().getBenchmark();
      String name = label.substring(label.lastIndexOf('.') + 1);
      Runs x = new Runs(name, "isledb", r.getPrimaryResult().getScoreUnit());
      r.getBenchmarkResults()
          .forEach(
              br ->
                  br.getIterationResults().forEach(ir -> x.add(ir.getPrimaryResult().getScore())));
      x.details.put("score", Workloads.round(r.getPrimaryResult().getScore()));
      double err = r.getPrimaryResult().getScoreError();
      x.details.put("error_99.9", Double.isNaN(err) ? null : Workloads.round(err));
      x.details.put("class", label.substring(0, label.lastIndexOf('.')));
      out.add(x);
    }
    return out;
  }
}
