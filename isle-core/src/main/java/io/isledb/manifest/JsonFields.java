package io.isledb.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.isledb.CorruptionException;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict reads of the fields of a persisted JSON object: a missing, null or mistyped field is a
 * {@link CorruptionException} naming the object and the field, never a default value.
 */
final class JsonFields {
  private JsonFields() {}

  /** The field {@code field} of {@code n}, present and not null. */
  public static JsonNode field(String name, JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new CorruptionException("manifest object " + name + " lacks field '" + field + "'");
    }
    return v;
  }

  /** The 64-bit integer field {@code field}. */
  public static long num(String name, JsonNode n, String field) {
    return asLong(name, field(name, n, field), field);
  }

  /** {@code v}, the value of {@code field}, as a 64-bit integer. */
  public static long asLong(String name, JsonNode v, String field) {
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new CorruptionException(
          "manifest object " + name + ": field '" + field + "' is not an integer");
    }
    return v.asLong();
  }

  /** The string field {@code field}. */
  public static String str(String name, JsonNode n, String field) {
    JsonNode v = field(name, n, field);
    if (!v.isTextual()) {
      throw new CorruptionException(
          "manifest object " + name + ": field '" + field + "' is not a string");
    }
    return v.asText();
  }

  /** The string field {@code field}, or null if it is absent. */
  public static String optionalStr(String name, JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v != null && !v.isTextual()) {
      throw new CorruptionException(
          "manifest object " + name + ": field '" + field + "' is not a string");
    }
    return v == null ? null : v.asText();
  }

  /** The array {@code v}. */
  public static Iterable<JsonNode> array(String name, JsonNode v) {
    if (!v.isArray()) {
      throw new CorruptionException("manifest object " + name + ": expected an array");
    }
    return v;
  }

  /** The array field {@code field}. */
  public static Iterable<JsonNode> array(String name, JsonNode n, String field) {
    JsonNode v = field(name, n, field);
    if (!v.isArray()) {
      throw new CorruptionException(
          "manifest object " + name + ": field '" + field + "' is not an array");
    }
    return v;
  }

  /** The array of strings {@code v}. */
  public static List<String> strings(String name, JsonNode v) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : array(name, v)) {
      if (!s.isTextual()) {
        throw new CorruptionException("manifest object " + name + ": expected a string array");
      }
      out.add(s.asText());
    }
    return out;
  }
}
