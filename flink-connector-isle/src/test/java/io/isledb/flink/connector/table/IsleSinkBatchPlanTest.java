package io.isledb.flink.connector.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamConfig;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch INSERT into an upsert table is not sorted before the sink: neither the SQL plan (no Sort
 * node) nor the job (no writer input sorted by key, which BATCH execution adds for every keyed
 * input), while every key still goes to one writer (a hash partitioning on the key).
 */
class IsleSinkBatchPlanTest {
  @TempDir Path dir;

  @Test
  void batchInsertHasNoSortAndPartitionsByKey() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    env.setParallelism(2);
    StreamTableEnvironment tenv = StreamTableEnvironment.create(env);
    tenv.executeSql(
        "CREATE TABLE t (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ("
            + "'connector' = 'isle', 'path' = '"
            + dir.toUri()
            + "t')");
    String insert =
        "INSERT INTO t SELECT id, CAST(id AS STRING) FROM (VALUES (3), (1), (2), (1)) AS s(id)";

    assertThat(tenv.explainSql(insert)).doesNotContainIgnoringCase("sort");

    StreamStatementSet set = tenv.createStatementSet();
    set.addInsertSql(insert);
    set.attachAsDataStream();
    StreamGraph graph = env.getStreamGraph();
    List<String> sorted =
        graph.getStreamNodes().stream()
            .filter(
                n -> n.getInputRequirements().containsValue(StreamConfig.InputRequirement.SORTED))
            .map(StreamNode::getOperatorName)
            .collect(Collectors.toList());
    assertThat(sorted).as("operators whose input BATCH execution sorts").isEmpty();

    StreamNode writer =
        graph.getStreamNodes().stream()
            .filter(n -> n.getOperatorName().contains("Isle Sink"))
            .filter(n -> n.getOperatorName().contains("Writer"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no writer in " + graph.getStreamNodes()));
    assertThat(writer.getInEdges())
        .extracting(StreamEdge::getPartitioner)
        .extracting(Object::toString)
        .as("the writer's input is hash-partitioned by key")
        .containsExactly("CUSTOM");
  }
}
