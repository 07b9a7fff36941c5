package io.isledb.examples;

import java.util.Map;
import java.util.TreeMap;

/**
 * Samples the sink committer's isle gauges ({@code lastCommittedCheckpoint}, {@code
 * lastCommittedVersion}) while the pipeline runs, to tell which table version each checkpoint
 * committed. Sampling every 20 ms; a checkpoint whose commit was overtaken by the next one within
 * that time shows no version.
 */
final class GaugeSampler extends Thread {
  private final String run;
  private final Map<Long, Long> versions = new TreeMap<>();
  private volatile boolean stop;

  GaugeSampler(String run) {
    super("isle-gauge-sampler");
    setDaemon(true);
    this.run = run;
  }

  @Override
  public void run() {
    while (!stop) {
      sample();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      }
    }
    sample();
  }

  private void sample() {
    IsleGauges gauges = IsleGauges.of(run);
    if (gauges == null) {
      return;
    }
    Map<String, Long> checkpoints = new TreeMap<>();
    Map<String, Long> committed = new TreeMap<>();
    for (IsleGauges.Seen g : gauges.gauges()) {
      if (g.id().endsWith(".isle.lastCommittedCheckpoint")) {
        checkpoints.put(g.id().substring(0, g.id().lastIndexOf('.')), g.value());
      } else if (g.id().endsWith(".isle.lastCommittedVersion")) {
        committed.put(g.id().substring(0, g.id().lastIndexOf('.')), g.value());
      }
    }
    synchronized (versions) {
      checkpoints.forEach(
          (group, cp) -> {
            Long v = committed.get(group);
            if (cp > 0 && v != null && v > 0) {
              versions.put(cp, v);
            }
          });
    }
  }

  void stopAndJoin() throws InterruptedException {
    stop = true;
    join();
  }

  /** Checkpoint id to the table version its commit published. */
  Map<Long, Long> committedVersions() {
    synchronized (versions) {
      return new TreeMap<>(versions);
    }
  }
}
