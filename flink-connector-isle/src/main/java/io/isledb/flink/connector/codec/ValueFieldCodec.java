package io.isledb.flink.connector.codec;

/**
 * The value encoding of one column type (docs/flink-connector.md, "Row encoding"). Values are
 * Flink's internal data structures, never null (nulls live in the enclosing null bitmap). {@link
 * #skip} moves past an encoded value without materialising it: fixed-width and varint values cost
 * their bytes, every variable-length value is length-prefixed.
 */
interface ValueFieldCodec {
  void encode(Object value, ByteOutput out);

  Object decode(ByteInput in);

  void skip(ByteInput in);
}
