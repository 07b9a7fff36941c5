package io.isledb.flink.connector.sink.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.flink.connector.internal.CapturingMetricGroup;
import io.isledb.flink.connector.sink.IsleRecordSerializer;
import io.isledb.flink.connector.sink.IsleSink;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobInfoImpl;
import org.apache.flink.api.common.TaskInfoImpl;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.metrics.groups.InternalSinkWriterMetricGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink writer's isle store gauges and counters exist, each once, and move when a checkpoint's
 * table is uploaded.
 */
class SinkWriterMetricsTest {
  @TempDir Path dir;

  @Test
  void storeGaugesMoveWithTheUpload() throws Exception {
    CapturingMetricGroup group = new CapturingMetricGroup();
    OperatorMetricGroup operator =
        (OperatorMetricGroup)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {OperatorMetricGroup.class},
                (p, m, args) -> {
                  if (m.getName().equals("getIOMetricGroup")) {
                    return UnregisteredMetricsGroup.createOperatorIOMetricGroup();
                  }
                  try {
                    return m.invoke(group, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    InternalSinkWriterMetricGroup metrics = InternalSinkWriterMetricGroup.wrap(operator);
    WriterInitContext context =
        (WriterInitContext)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {WriterInitContext.class},
                (p, m, args) -> {
                  switch (m.getName()) {
                    case "metricGroup":
                      return metrics;
                    case "getJobInfo":
                      return new JobInfoImpl(new JobID(), "job");
                    case "getTaskInfo":
                      return new TaskInfoImpl("sink", 1, 0, 1, 0);
                    case "getRestoredCheckpointId":
                      return OptionalLong.empty();
                    default:
                      throw new UnsupportedOperationException(m.getName());
                  }
                });
    IsleSink<Tuple2<byte[], byte[]>> sink =
        IsleSink.<Tuple2<byte[], byte[]>>builder()
            .path(dir.toUri() + "table")
            .serializer(IsleRecordSerializer.bytes())
            .build();
    SinkWriter<Tuple2<byte[], byte[]>> writer = sink.createWriter(context);
    try {
      long written = group.value("isle.store.bytesWritten").longValue();
      long requests = group.value("isle.store.requests").longValue();
      for (int i = 0; i < 100; i++) {
        writer.write(Tuple2.of(utf8("k" + i), utf8("v" + i)), null);
      }
      writer.flush(false);
      ((IsleSinkWriter<?>) writer).prepareCommit();
      assertThat(group.value("isle.store.bytesWritten").longValue()).isGreaterThan(written);
      // The writer's own counters, each registered once: the tables and bytes it uploaded (the
      // store's bytesWritten above counts every user of the JVM's shared store).
      assertThat(group.duplicates()).as("metrics registered twice").isEmpty();
      assertThat(group.count("isle.tablesWritten")).isEqualTo(1);
      assertThat(group.count("isle.bytesWritten")).isPositive();
      assertThat(group.value("isle.store.requests").longValue()).isGreaterThan(requests);
      assertThat(
              group.value("isle.store.put").longValue()
                  + group.value("isle.store.upload").longValue()
                  + group.value("isle.store.create_if_absent").longValue())
          .isPositive();
    } finally {
      writer.close();
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
