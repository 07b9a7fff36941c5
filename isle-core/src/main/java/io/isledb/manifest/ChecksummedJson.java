package io.isledb.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.CorruptionException;
import io.isledb.IsleException;
import io.isledb.util.Internal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The envelope of every manifest object: UTF-8 JSON on one line, then {@code "\ncrc32c:"}, eight
 * lower-case hex digits of the CRC32C of the JSON bytes, and {@code "\n"}. A torn or altered object
 * fails the checksum and is reported as corruption, never parsed as data.
 */
@Internal
public final class ChecksummedJson {
  /** Persisted: the trailer marker. Never change. */
  static final byte[] TRAILER = "\ncrc32c:".getBytes(StandardCharsets.US_ASCII);

  private static final int TRAILER_LEN = TRAILER.length + 8 + 1;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ChecksummedJson() {}

  /** A new empty JSON object node. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** Serializes {@code node} with its checksum trailer. */
  public static byte[] encode(ObjectNode node) {
    byte[] json;
    try {
      json = MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw IsleException.internal("cannot serialize manifest JSON", e);
    }
    CRC32C crc = new CRC32C();
    crc.update(json);
    String hex = String.format("%08x", crc.getValue());
    byte[] out = Arrays.copyOf(json, json.length + TRAILER_LEN);
    System.arraycopy(TRAILER, 0, out, json.length, TRAILER.length);
    byte[] h = hex.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(h, 0, out, json.length + TRAILER.length, 8);
    out[out.length - 1] = '\n';
    return out;
  }

  /** Verifies and parses an object read from {@code name}. */
  public static JsonNode decode(String name, byte[] data) {
    if (data.length < TRAILER_LEN + 2) {
      throw new CorruptionException(
          "manifest object " + name + " is truncated (" + data.length + " bytes)");
    }
    int jsonLen = data.length - TRAILER_LEN;
    for (int i = 0; i < TRAILER.length; i++) {
      if (data[jsonLen + i] != TRAILER[i]) {
        throw new CorruptionException("manifest object " + name + " has no checksum trailer");
      }
    }
    if (data[data.length - 1] != '\n') {
      throw new CorruptionException("manifest object " + name + " has a malformed trailer");
    }
    String hex = new String(data, jsonLen + TRAILER.length, 8, StandardCharsets.US_ASCII);
    long expected;
    try {
      expected = Long.parseLong(hex, 16);
    } catch (NumberFormatException e) {
      throw new CorruptionException(
          "manifest object " + name + " has a malformed checksum '" + hex + "'");
    }
    CRC32C crc = new CRC32C();
    crc.update(data, 0, jsonLen);
    if (crc.getValue() != expected) {
      throw new CorruptionException(
          String.format(
              "manifest object %s failed its checksum (stored %08x, computed %08x)",
              name, expected, crc.getValue()));
    }
    try {
      JsonNode node = MAPPER.readTree(data, 0, jsonLen);
      if (node == null || !node.isObject()) {
        throw new CorruptionException("manifest object " + name + " is not a JSON object");
      }
      return node;
    } catch (java.io.IOException e) {
      throw new CorruptionException("manifest object " + name + " is not valid JSON", e);
    }
  }
}
