/**
 * The DataStream {@link io.isledb.flink.connector.source.IsleSource} (FLIP-27): bounded and
 * unbounded scans of an IsleDB table. Users need {@code IsleSource}, its builder, {@code
 * IsleRecordDeserializer} and {@code IsleRecord}; the sub-packages are the source's machinery.
 */
package io.isledb.flink.connector.source;
