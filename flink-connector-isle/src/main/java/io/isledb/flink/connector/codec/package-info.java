/**
 * Row encoding of the IsleDB Flink connector: Flink {@code RowData} to IsleDB keys and values and
 * back, and the table schema stored with the data (docs/flink-connector.md, "Row encoding").
 *
 * <p><b>Internal, not a user API.</b> The classes are public only so that the connector's other
 * packages (table source and sink, lookup, DataStream (de)serializers) can use them; they may
 * change in any release. The bytes they write are a persisted format: every constant marked "never
 * change" is part of it.
 *
 * <p>How the other packages use it:
 *
 * <ul>
 *   <li>Planning (table factory, builders): {@code IsleTableSchema.of(resolvedSchema)}, then {@code
 *       SchemaCompatibility.resolve(path, SchemaHistory.fromProperties(readView.properties()),
 *       declared)}; it throws {@code ValidationException} for an incompatible schema. Validate key
 *       and column types early with {@code RowCodec.create(resolution.schema(),
 *       resolution.history(), classLoader)}. Ship {@code schema()} and {@code history()} (both
 *       {@code Serializable}) to the tasks.
 *   <li>Sink: {@code RowCodec.create(...)} in the writer; {@code encodeKey(row)} / {@code
 *       encodeValue(row)} ({@code encodeValue} only for an append-only table, whose keys the sink
 *       makes); the committer sets {@code resolution.propertiesToCommit()} in the same commit as
 *       the first data (empty when the schema is already stored).
 *   <li>Scan and lookup: {@code codec.decoder(projection).decode(key, value)}; a delete carries
 *       {@code decodeKeyOnly(key)}. Key ranges for filters and prefix lookups: {@code
 *       KeyEncoder.prefixRange / range / startsWithRange} on values converted by {@code
 *       KeyLiterals.toInternal}; check {@code KeyRange.isEmpty()} before scanning.
 * </ul>
 *
 * <p>Encoders reuse a buffer (one per task); decoders are thread-safe.
 */
package io.isledb.flink.connector.codec;
