package io.isledb.bench.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.bench.Runs;
import io.isledb.bench.S3ServerCpu;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildJvmServerCpuTest {
  @AfterEach
  void forgetServer() {
    System.clearProperty(S3ServerCpu.PID_PROPERTY);
  }

  @Test
  void aGroupsChildJvmReadsTheServerItsHarnessPublished(@TempDir Path work) throws Exception {
    // This JVM stands in for the server: the child must find it by pid and read its CPU time.
    long pid = ProcessHandle.current().pid();
    System.setProperty(S3ServerCpu.PID_PROPERTY, Long.toString(pid));
    List<Runs> out =
        ChildJvm.run("probe", work, List.of(), ServerCpuProbe.class, f -> List.of(f.toString()));
    assertThat(out).hasSize(1);
    assertThat(out.get(0).details.get("pid")).isEqualTo(Long.toString(pid));
    assertThat(((Number) out.get(0).details.get("server_cpu_nanos")).longValue()).isPositive();
  }

  @Test
  void withoutAServerTheChildReadsNothing(@TempDir Path work) throws Exception {
    List<Runs> out =
        ChildJvm.run("probe", work, List.of(), ServerCpuProbe.class, f -> List.of(f.toString()));
    assertThat(out.get(0).details.get("pid")).isNull();
    assertThat(((Number) out.get(0).details.get("server_cpu_nanos")).longValue()).isEqualTo(-1);
  }
}
