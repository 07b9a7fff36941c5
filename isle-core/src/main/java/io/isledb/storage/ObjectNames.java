package io.isledb.storage;

import io.isledb.IsleException;
import io.isledb.util.Internal;

/**
 * Validation of database prefixes and object names, so that nothing IsleDB reads, writes or deletes
 * can escape its prefix.
 *
 * <p>A name is one or more '/'-separated segments; each segment is non-empty, made of {@code
 * [A-Za-z0-9._=-]}, is not {@code "."} or {@code ".."}, and does not start with {@code '.'} (names
 * starting with '.' are reserved for temporary files of the local-file store).
 */
@Internal
public final class ObjectNames {
  /** Longest object name accepted, well under every supported store's key limit. */
  public static final int MAX_NAME_LENGTH = 512;

  /**
   * How the names of the temporary files of staged writes start: never a valid object name, so
   * listings skip them and they cannot collide with an object.
   */
  static final String TEMP_PREFIX = ".tmp-";

  private ObjectNames() {}

  /** Checks an object name relative to the database prefix. Returns it unchanged. */
  public static String checkName(String name) {
    return check(name, "object name", false);
  }

  /** Checks a listing prefix: empty, or a name, optionally ending with '/'. Returns it. */
  public static String checkListPrefix(String prefix) {
    if (prefix == null) {
      throw IsleException.invalidArgument("list prefix must not be null");
    }
    if (prefix.isEmpty()) {
      return prefix;
    }
    String body = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    if (body.isEmpty()) {
      throw IsleException.invalidArgument("list prefix '/' is not allowed");
    }
    // The last segment of a listing prefix may be partial (for example "log/0000"), so only the
    // character set and the segment structure are checked.
    check(body, "list prefix", true);
    return prefix;
  }

  /** Checks a database prefix (the part of the path below the bucket or directory). */
  public static String checkPrefix(String prefix) {
    if (prefix == null) {
      throw IsleException.invalidArgument("database prefix must not be null");
    }
    String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    return check(p, "database prefix", false);
  }

  private static String check(String name, String what, boolean partialLastSegment) {
    if (name == null) {
      throw IsleException.invalidArgument(what + " must not be null");
    }
    if (name.isEmpty()) {
      throw IsleException.invalidArgument(what + " must not be empty");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      throw IsleException.invalidArgument(
          what + " is " + name.length() + " characters long; the limit is " + MAX_NAME_LENGTH);
    }
    if (name.startsWith("/")) {
      throw IsleException.invalidArgument(what + " '" + name + "' must not be absolute");
    }
    String[] segments = name.split("/", -1);
    for (String s : segments) {
      if (s.isEmpty()) {
        throw IsleException.invalidArgument(what + " '" + name + "' has an empty segment");
      }
      if (s.equals(".") || s.equals("..")) {
        throw IsleException.invalidArgument(
            what + " '" + name + "' has a '" + s + "' segment; names may not leave the prefix");
      }
      if (s.charAt(0) == '.') {
        throw IsleException.invalidArgument(
            what + " '" + name + "' has a segment starting with '.', which is reserved");
      }
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        boolean ok =
            (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '.'
                || c == '_'
                || c == '-'
                || c == '=';
        if (!ok) {
          throw IsleException.invalidArgument(
              what
                  + " '"
                  + name
                  + "' has character '"
                  + c
                  + "' at "
                  + i
                  + "; allowed: A-Z a-z 0-9 . _ - =");
        }
      }
    }
    return name;
  }
}
