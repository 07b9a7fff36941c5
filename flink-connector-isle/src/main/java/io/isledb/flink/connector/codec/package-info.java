/**
 * Row encoding of the IsleDB Flink connector: Flink {@code RowData} to IsleDB keys and values and
 * back, and the table schema stored with the data (docs/flink-connector.md, "Row encoding").
 *
 * <p><b>Internal, not a user API.</b> The classes are public only so that the connector's other
 * packages (table source and sink, lookup, DataStream (de)serializers) can use them; they may
 * change in any release. The bytes they write are a persisted format: every constant marked "never
 * change" is part of it.
 */
package io.isledb.flink.connector.codec;
