package io.isledb.flink.connector.codec;

/**
 * The order-preserving encoding of one key column: for two values {@code a} and {@code b} of the
 * column's type, the unsigned byte order of {@code encode(a)} and {@code encode(b)} is the SQL
 * order of {@code a} and {@code b}, and no encoding is a proper prefix of another (so composite
 * keys compare column by column). Values are Flink's internal data structures, never null.
 */
interface KeyFieldCodec {
  void encode(Object value, ByteOutput out);

  Object decode(ByteInput in);
}
