package io.isledb.manifest;

import io.isledb.CommitMark;
import io.isledb.IsleException;
import io.isledb.util.Internal;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The part of a manifest state that {@code add} edits of manifest format 2 carry: the high-water
 * mark of every commit user and the table properties (docs/PROTOCOL.md, "Commit users" and "Table
 * properties"). Immutable; both maps are sorted by key, so encodings are deterministic. Kept in
 * every version and every snapshot (and version pin), so compaction, snapshotting and log GC never
 * lose a mark.
 */
@Internal
public final class CommitState {
  /** Longest commit user, in UTF-8 bytes. */
  public static final int MAX_COMMIT_USER_BYTES = 256;

  /** Most commit users one database remembers; a commit by a new user beyond it is refused. */
  public static final int MAX_COMMIT_USERS = 4096;

  /** Longest property key, in UTF-8 bytes. */
  public static final int MAX_PROPERTY_KEY_BYTES = 256;

  /** Longest property value, in UTF-8 bytes. */
  public static final int MAX_PROPERTY_VALUE_BYTES = 64 * 1024;

  /** Most bytes (UTF-8 keys plus values) of all properties of a database together. */
  public static final int MAX_PROPERTIES_BYTES = 256 * 1024;

  static final CommitState EMPTY = new CommitState(Map.of(), Map.of(), Map.of());

  private final Map<String, CommitMark> users;
  private final Map<String, String> properties;
  private final Map<String, SourcePin> sources; // a fork's sources by prefix (format 4)

  private CommitState(
      Map<String, CommitMark> users,
      Map<String, String> properties,
      Map<String, SourcePin> sources) {
    this.users = users;
    this.properties = properties;
    this.sources = sources;
  }

  /** A state read from a snapshot or pin. */
  static CommitState of(Collection<CommitMark> marks, Map<String, String> properties) {
    return of(marks, properties, java.util.List.of());
  }

  /** A state read from a snapshot or pin, with a fork's sources. */
  static CommitState of(
      Collection<CommitMark> marks,
      Map<String, String> properties,
      Collection<SourcePin> sourcePins) {
    if (marks.isEmpty() && properties.isEmpty() && sourcePins.isEmpty()) {
      return EMPTY;
    }
    TreeMap<String, CommitMark> u = new TreeMap<>();
    marks.forEach(m -> u.put(m.commitUser(), m));
    TreeMap<String, SourcePin> src = new TreeMap<>();
    sourcePins.forEach(sp -> src.put(sp.prefix(), sp));
    return new CommitState(
        Collections.unmodifiableMap(u),
        Collections.unmodifiableMap(new TreeMap<>(properties)),
        Collections.unmodifiableMap(src));
  }

  /** A fork's sources by prefix (empty for a database that never borrowed tables). */
  public Map<String, SourcePin> sources() {
    return sources;
  }

  /**
   * This state with {@code more} sources added (a source already listed keeps its entry): sources
   * are never removed from a fork's state (docs/PROTOCOL.md section 9).
   */
  CommitState withSources(Collection<SourcePin> more) {
    if (more.isEmpty()) {
      return this;
    }
    TreeMap<String, SourcePin> src = new TreeMap<>(sources);
    more.forEach(sp -> src.putIfAbsent(sp.prefix(), sp));
    return new CommitState(users, properties, Collections.unmodifiableMap(src));
  }

  /** Every commit user's mark, by user. */
  public Map<String, CommitMark> users() {
    return users;
  }

  /** The mark of {@code commitUser}, or empty if it never committed. */
  public Optional<CommitMark> mark(String commitUser) {
    return Optional.ofNullable(users.get(commitUser));
  }

  /** The table properties, by key. */
  public Map<String, String> properties() {
    return properties;
  }

  /** Whether nothing here needs manifest format 2 or newer. */
  boolean isEmpty() {
    return users.isEmpty() && properties.isEmpty() && sources.isEmpty();
  }

  /** Why the replay rule ignores {@code a} here (its identifier is not above the mark), or null. */
  String validate(Edit.AddTables a) {
    if (a.commitUser() == null) {
      return null;
    }
    CommitMark m = users.get(a.commitUser());
    if (m != null && a.commitId() <= m.identifier()) {
      return "commit user '"
          + a.commitUser()
          + "' identifier "
          + a.commitId()
          + " is not above its mark "
          + m.identifier()
          + " (committed at version "
          + m.version()
          + ")";
    }
    return null;
  }

  /** The state after {@code a}, accepted at version {@code seq}. */
  CommitState apply(Edit.AddTables a, long seq) {
    if (!a.extended()) {
      return this;
    }
    TreeMap<String, CommitMark> u = new TreeMap<>(users);
    if (a.commitUser() != null) {
      u.put(a.commitUser(), new CommitMark(a.commitUser(), a.commitId(), seq));
    }
    TreeMap<String, String> p = new TreeMap<>(properties);
    p.putAll(a.properties());
    return new CommitState(Collections.unmodifiableMap(u), Collections.unmodifiableMap(p), sources);
  }

  /** Why the replay rule ignores {@code r} here (a user without a mark), or null. */
  String validateRemove(Edit.RemoveCommitUsers r) {
    if (r.users().isEmpty()) {
      return "removal of no commit users";
    }
    for (String u : r.users()) {
      if (!users.containsKey(u)) {
        return "commit user '" + u + "' to remove has no mark";
      }
    }
    return null;
  }

  /** The state without the marks of {@code removed}. */
  CommitState remove(Collection<String> removed) {
    TreeMap<String, CommitMark> u = new TreeMap<>(users);
    u.keySet().removeAll(removed);
    return of(u.values(), properties, sources.values());
  }

  // ------------------------------------------------------------------ argument checks

  /**
   * Checks a commit user and identifier from the API.
   *
   * @throws IsleException of kind INVALID_ARGUMENT naming the limit
   */
  public static void checkCommitUser(String commitUser, long identifier) {
    if (commitUser == null || commitUser.isEmpty()) {
      throw IsleException.invalidArgument("a commit needs a non-empty commit user");
    }
    checkLength("commit user", commitUser, MAX_COMMIT_USER_BYTES);
    for (int i = 0; i < commitUser.length(); i++) {
      if (Character.isISOControl(commitUser.charAt(i))) {
        throw IsleException.invalidArgument(
            "commit user contains a control character at index " + i);
      }
    }
    if (identifier < 0) {
      throw IsleException.invalidArgument(
          "commit identifier " + identifier + " of user '" + commitUser + "' is negative");
    }
  }

  /**
   * Checks properties to set, each on its own.
   *
   * @throws IsleException of kind INVALID_ARGUMENT naming the key and the limit
   */
  public static void checkProperties(Map<String, String> set) {
    if (set == null) {
      throw IsleException.invalidArgument("properties map is null");
    }
    int total = 0;
    for (Map.Entry<String, String> e : set.entrySet()) {
      String k = e.getKey();
      if (k == null || k.isEmpty()) {
        throw IsleException.invalidArgument("a property key is null or empty");
      }
      int kb = checkLength("property key", k, MAX_PROPERTY_KEY_BYTES);
      if (e.getValue() == null) {
        throw IsleException.invalidArgument("property '" + k + "' has a null value");
      }
      int vb = utf8(e.getValue());
      if (vb > MAX_PROPERTY_VALUE_BYTES) {
        throw IsleException.invalidArgument(
            "value of property '"
                + k
                + "' is "
                + vb
                + " UTF-8 bytes, over the limit of "
                + MAX_PROPERTY_VALUE_BYTES);
      }
      total += kb + vb;
    }
    checkTotal(total, "the properties to set");
  }

  /**
   * Checks that the properties after merging {@code set} into this state's stay within {@link
   * #MAX_PROPERTIES_BYTES}, and that a new commit user still fits: run against the state the edit
   * lands on.
   *
   * @throws IsleException of kind INVALID_ARGUMENT naming the limit
   */
  public void checkRoom(String commitUser, Map<String, String> set) {
    if (commitUser != null && !users.containsKey(commitUser) && users.size() >= MAX_COMMIT_USERS) {
      throw IsleException.invalidArgument(
          "cannot add commit user '"
              + commitUser
              + "': the database already has "
              + users.size()
              + " commit users, the limit is "
              + MAX_COMMIT_USERS
              + " (remove users that no longer commit with IsleDB.removeCommitUser)");
    }
    if (set.isEmpty()) {
      return;
    }
    TreeMap<String, String> merged = new TreeMap<>(properties);
    merged.putAll(set);
    int total = 0;
    for (Map.Entry<String, String> e : merged.entrySet()) {
      total += utf8(e.getKey()) + utf8(e.getValue());
    }
    checkTotal(total, "the table properties after this commit");
  }

  private static void checkTotal(int total, String what) {
    if (total > MAX_PROPERTIES_BYTES) {
      throw IsleException.invalidArgument(
          what + " take " + total + " UTF-8 bytes, over the limit of " + MAX_PROPERTIES_BYTES);
    }
  }

  /** The UTF-8 length of the name {@code s}, refused if over {@code limit}. */
  private static int checkLength(String what, String s, int limit) {
    int bytes = utf8(s);
    if (bytes > limit) {
      throw IsleException.invalidArgument(
          what
              + " '"
              + s.substring(0, 40)
              + "...' is "
              + bytes
              + " UTF-8 bytes, over the limit of "
              + limit);
    }
    return bytes;
  }

  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
