/**
 * The DataStream sink: {@link io.isledb.flink.connector.sink.IsleSink} and its {@link
 * io.isledb.flink.connector.sink.IsleRecordSerializer}. Exactly-once: one version per checkpoint,
 * published by one committer under a commit user (docs/flink-connector.md, "Sink").
 */
package io.isledb.flink.connector.sink;
