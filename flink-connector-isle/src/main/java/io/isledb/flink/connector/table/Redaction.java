package io.isledb.flink.connector.table;

import io.isledb.flink.connector.internal.Secrets;
import java.util.Map;

/** Removes secret values from messages built from storage errors before they reach users. */
final class Redaction {
  private Redaction() {}

  /** {@code message} with the value of every secret setting in {@code settings} hidden. */
  static String scrub(String message, Map<String, String> settings) {
    if (message == null) {
      return "";
    }
    String out = message;
    for (Map.Entry<String, String> e : settings.entrySet()) {
      if (Secrets.isSecret(e.getKey()) && e.getValue() != null && e.getValue().length() >= 4) {
        out = out.replace(e.getValue(), Secrets.HIDDEN);
      }
    }
    return out;
  }
}
