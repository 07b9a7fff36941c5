package io.isledb.storage;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials embedded in storage URIs ({@code s3a://KEY:SECRET@bucket}) from everything
 * IsleDB shows: {@link io.isledb.ObjectStore#location()}, messages, logs and the causes attached to
 * its exceptions.
 */
final class Redaction {
  private Redaction() {}

  /** URI schemes whose user-info part names a container, not a user. */
  private static final Set<String> CONTAINER_SCHEMES = Set.of("abfs", "abfss", "wasb", "wasbs");

  private static final Pattern USER_INFO =
      Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://([^/?#\\s'\"`@]*)@");

  /**
   * {@code text} with the credentials of every URI in it removed: {@code s3a://KEY:SECRET@bucket}
   * becomes {@code s3a://bucket}; on ABFS/WASB, where the user-info part is the container, only a
   * password is removed ({@code abfs://container:KEY@account} becomes {@code
   * abfs://container@account}).
   */
  static String redact(String text) {
    if (text == null || text.indexOf('@') < 0) {
      return text;
    }
    Matcher m = USER_INFO.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String scheme = m.group(1);
      String userInfo = m.group(2);
      String kept;
      if (CONTAINER_SCHEMES.contains(scheme.toLowerCase(Locale.ROOT))) {
        int colon = userInfo.indexOf(':');
        kept = (colon < 0 ? userInfo : userInfo.substring(0, colon)) + "@";
      } else {
        kept = "";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(scheme + "://" + kept));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * {@code e} itself if its messages hold no credentials, else a copy (same type name and stack
   * trace in the message and trace) whose messages are redacted, so that a cause attached to an
   * IsleException cannot leak them either.
   */
  static Throwable redacted(Throwable e) {
    boolean clean = true;
    for (Throwable t = e; t != null && clean; t = t.getCause()) {
      String s = t.toString();
      clean = s.equals(redact(s));
    }
    if (clean) {
      return e;
    }
    IOException copy =
        new IOException(redact(e.toString()), e.getCause() == null ? null : redacted(e.getCause()));
    copy.setStackTrace(e.getStackTrace());
    return copy;
  }
}
