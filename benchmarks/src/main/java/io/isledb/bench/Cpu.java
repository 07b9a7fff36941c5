package io.isledb.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * CPU time of this JVM (engine, harness and, for RocksDB, its native threads) and of its child
 * processes (the s3proxy server), for CPU seconds per GiB: a figure that other load on the machine
 * disturbs far less than throughput.
 */
public record Cpu(long selfNanos, long childrenNanos) {
  /** The CPU time used so far. */
  public static Cpu now() {
    long self =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    long children =
        ProcessHandle.current()
            .descendants()
            .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
            .sum();
    return new Cpu(self, children);
  }

  /** The CPU time used since {@code earlier}. */
  public Cpu minus(Cpu earlier) {
    return new Cpu(selfNanos - earlier.selfNanos, childrenNanos - earlier.childrenNanos);
  }

  /** Adds two spans. */
  public Cpu plus(Cpu o) {
    return new Cpu(selfNanos + o.selfNanos, childrenNanos + o.childrenNanos);
  }
}
