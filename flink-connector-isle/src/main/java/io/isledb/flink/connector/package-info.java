/**
 * The IsleDB Flink connector: Flink SQL {@code 'connector' = 'isle'} and the DataStream {@code
 * IsleSource} / {@code IsleSink}. Built on isle-core's public API only.
 */
package io.isledb.flink.connector;
