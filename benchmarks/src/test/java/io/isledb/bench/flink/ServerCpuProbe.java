package io.isledb.bench.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.isledb.bench.Runs;
import io.isledb.bench.S3ServerCpu;
import java.nio.file.Path;
import java.util.List;

/** A child JVM main for {@link ChildJvmServerCpuTest}: reports the server pid it was given. */
public final class ServerCpuProbe {
  private ServerCpuProbe() {}

  /** {@code OUT}: writes one isle-s3a result whose details hold what this JVM sees. */
  public static void main(String[] args) throws Exception {
    Runs r = new Runs("probe", "isle-s3a", "s");
    r.add(1);
    r.details.put("pid", System.getProperty(S3ServerCpu.PID_PROPERTY));
    r.details.put("server_cpu_nanos", S3ServerCpu.nanos());
    new ObjectMapper().writeValue(Path.of(args[0]).toFile(), List.of(r.toMap()));
  }
}
