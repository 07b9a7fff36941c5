package io.isledb.flink.connector.internal;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * Which settings are secrets, and their redacted form for logs, exceptions, {@code asSummaryString}
 * and plans. A key is secret if Flink considers it sensitive or if it names a secret key, an access
 * key, an account key, a password or a token in any spelling.
 */
public final class Secrets {
  /** What a secret value is shown as. */
  public static final String HIDDEN = "******";

  private static final String[] MARKERS = {
    "secret", "password", "access.key", "access-key", "account.key", "accountkey", "token",
  };

  private Secrets() {}

  /** Whether {@code key}'s value must never be shown. */
  public static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    for (String m : MARKERS) {
      if (k.contains(m)) {
        return true;
      }
    }
    return GlobalConfiguration.isSensitive(key);
  }

  /** {@code settings} with every secret value replaced by {@link #HIDDEN}, sorted by key. */
  public static Map<String, String> redact(Map<String, String> settings) {
    Map<String, String> out = new TreeMap<>();
    settings.forEach((k, v) -> out.put(k, isSecret(k) ? HIDDEN : v));
    return out;
  }
}
