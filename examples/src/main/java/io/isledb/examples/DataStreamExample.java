package io.isledb.examples;

import io.isledb.flink.connector.sink.IsleRecordSerializer;
import io.isledb.flink.connector.sink.IsleSink;
import io.isledb.flink.connector.source.IsleRecord;
import io.isledb.flink.connector.source.IsleRecordDeserializer;
import io.isledb.flink.connector.source.IsleSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * The DataStream example: a job writes key/value pairs into an isle table with {@code IsleSink}
 * (one version at end of input), a second job reads the table back with a bounded {@code
 * IsleSource}. Usage: {@code DataStreamExample [table-uri] [count]}; by default {@code
 * ./isle-data/datastream/scores}, 1000 pairs.
 */
public final class DataStreamExample {
  private DataStreamExample() {}

  public static void main(String[] args) throws Exception {
    String path =
        args.length > 0 && !args[0].isBlank()
            ? args[0]
            : Path.of("isle-data", "datastream", "scores").toAbsolutePath().toUri().toString();
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    write(path, count);
    Map<String, String> read = read(path);
    System.out.println(
        "DataStream example: wrote "
            + count
            + " pairs to "
            + path
            + ", read back "
            + read.size()
            + (read.equals(model(count)) ? " (equal to what was written)" : " (DIFFERENT)"));
  }

  /** What the table holds after {@link #write}: {@code user-0007 -> score 49}. */
  public static Map<String, String> model(int count) {
    Map<String, String> m = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      m.put(key(i), value(i));
    }
    return m;
  }

  static String key(long i) {
    return String.format("user-%04d", i);
  }

  static String value(long i) {
    return "score " + (i * i % 97);
  }

  /** Writes {@code count} pairs into the table at {@code path} with an {@code IsleSink}. */
  public static void write(String path, int count) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    // README:datastream-sink
    env.fromSequence(0, count - 1)
        .map(i -> Tuple2.of(bytes(key(i)), bytes(value(i))))
        .returns(Types.TUPLE(Types.PRIMITIVE_ARRAY(Types.BYTE), Types.PRIMITIVE_ARRAY(Types.BYTE)))
        .keyBy(kv -> new String(kv.f0, StandardCharsets.UTF_8)) // one key, one writer
        .sinkTo(
            IsleSink.<Tuple2<byte[], byte[]>>builder()
                .path(path)
                .serializer(IsleRecordSerializer.bytes())
                .build());
    // README:end
    env.execute("isle datastream write");
  }

  /** Reads the table back with a bounded {@code IsleSource}. */
  public static Map<String, String> read(String path) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    // README:datastream-source
    IsleSource<IsleRecord> source =
        IsleSource.<IsleRecord>builder()
            .path(path)
            .bounded()
            .deserializer(IsleRecordDeserializer.bytes())
            .build();
    var records = env.fromSource(source, WatermarkStrategy.noWatermarks(), "scores");
    // README:end
    List<IsleRecord> rows = new ArrayList<>();
    try (CloseableIterator<IsleRecord> it = records.executeAndCollect("isle datastream read")) {
      it.forEachRemaining(rows::add);
    }
    Map<String, String> out = new TreeMap<>();
    for (IsleRecord r : rows) {
      out.put(
          new String(r.getKey(), StandardCharsets.UTF_8),
          new String(r.getValue(), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
