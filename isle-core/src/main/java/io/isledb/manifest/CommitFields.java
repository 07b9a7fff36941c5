package io.isledb.manifest;

import static io.isledb.manifest.JsonFields.array;
import static io.isledb.manifest.JsonFields.field;
import static io.isledb.manifest.JsonFields.num;
import static io.isledb.manifest.JsonFields.str;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.CommitMark;
import io.isledb.CorruptionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON fields of manifest format 2 (docs/FORMAT.md, "Format 2: commit users and table
 * properties"): {@code commitUser}, {@code commitId} and {@code properties} in an {@code add}
 * change, {@code commitUsers} and {@code properties} in a folded state (snapshot, version pin).
 * Each is written only when it is not empty, and the object is then written as format 2; an object
 * without them is format 1 byte for byte. Decoding is strict: a field of the wrong type, or present
 * in a format 1 object, is corruption.
 */
final class CommitFields {
  static final String COMMIT_USER = "commitUser";
  static final String COMMIT_ID = "commitId";
  static final String PROPERTIES = "properties";
  static final String COMMIT_USERS = "commitUsers";
  static final String SOURCES = "sources";

  private CommitFields() {}

  /** The format version an edit needs. */
  static int version(Edit e) {
    if (e.change() instanceof Edit.Restore r) {
      return version(r.state());
    }
    if (e.change() instanceof Edit.Fork) {
      return JsonHeader.FORK_FORMAT_VERSION;
    }
    if (e.change() instanceof Edit.RemoveCommitUsers) {
      return JsonHeader.COMMITS_FORMAT_VERSION;
    }
    if (e.change() instanceof Edit.Compact c && c.bottommost()) {
      return JsonHeader.BOTTOMMOST_FORMAT_VERSION;
    }
    return e.change() instanceof Edit.AddTables a && a.extended()
        ? JsonHeader.COMMITS_FORMAT_VERSION
        : JsonHeader.FORMAT_VERSION;
  }

  /** The format version a snapshot or version pin of {@code s} needs. */
  static int version(ManifestState s) {
    if (!s.commits().sources().isEmpty()) {
      return JsonHeader.FORK_FORMAT_VERSION;
    }
    for (SstMeta t : s.allTables()) {
      if (t.borrowed() || t.clipped()) {
        return JsonHeader.FORK_FORMAT_VERSION;
      }
    }
    return s.commits().isEmpty() ? JsonHeader.FORMAT_VERSION : JsonHeader.COMMITS_FORMAT_VERSION;
  }

  /** Adds the format 2 fields of an {@code add} change. */
  static void putAdd(ObjectNode c, Edit.AddTables a) {
    if (a.commitUser() != null) {
      c.put(COMMIT_USER, a.commitUser());
      c.put(COMMIT_ID, a.commitId());
    }
    putProperties(c, a.properties());
  }

  /** An {@code add} change read from {@code c} (of the object {@code root}). */
  static Edit.AddTables readAdd(
      String name, JsonNode root, JsonNode c, List<SstMeta> tables, long lastSeq, long lsn) {
    String user = null;
    long id = 0;
    if (c.has(COMMIT_USER)) {
      JsonHeader.requireFormat(name, root, JsonHeader.COMMITS_FORMAT_VERSION, COMMIT_USER);
      user = str(name, c, COMMIT_USER);
      id = num(name, c, COMMIT_ID);
      if (user.isEmpty() || id < 0) {
        throw new CorruptionException(
            "manifest object " + name + " has commit user '" + user + "' identifier " + id);
      }
    } else if (c.has(COMMIT_ID)) {
      throw new CorruptionException(
          "manifest object " + name + " has a commitId without a commitUser");
    }
    return new Edit.AddTables(tables, lastSeq, lsn, user, id, readProperties(name, root, c));
  }

  /** Adds the format 2 fields of a folded state. */
  static void putState(ObjectNode n, CommitState s) {
    if (!s.users().isEmpty()) {
      ArrayNode users = n.putArray(COMMIT_USERS);
      for (CommitMark m : s.users().values()) {
        ObjectNode u = users.addObject();
        u.put("user", m.commitUser());
        u.put("id", m.identifier());
        u.put("version", m.version());
      }
    }
    putProperties(n, s.properties());
    if (!s.sources().isEmpty()) {
      ArrayNode src = n.putArray(SOURCES);
      for (SourcePin sp : s.sources().values()) {
        ObjectNode o = src.addObject();
        o.put("prefix", sp.prefix());
        o.put("pin", sp.pin());
        o.put("version", sp.version());
        if (!sp.homes().equals(List.of(sp.prefix()))) {
          ArrayNode h = o.putArray("homes");
          sp.homes().forEach(h::add);
        }
      }
    }
  }

  /** The format 2 part of a folded state read from {@code n} (of the object {@code root}). */
  static CommitState readState(String name, JsonNode root, JsonNode n) {
    List<CommitMark> marks = new ArrayList<>();
    if (n.has(COMMIT_USERS)) {
      JsonHeader.requireFormat(name, root, JsonHeader.COMMITS_FORMAT_VERSION, COMMIT_USERS);
      for (JsonNode u : array(name, n, COMMIT_USERS)) {
        marks.add(
            new CommitMark(str(name, u, "user"), num(name, u, "id"), num(name, u, "version")));
      }
    }
    List<SourcePin> sources = new ArrayList<>();
    if (n.has(SOURCES)) {
      JsonHeader.requireFormat(name, root, JsonHeader.FORK_FORMAT_VERSION, SOURCES);
      for (JsonNode o : array(name, n, SOURCES)) {
        String prefix = str(name, o, "prefix");
        List<String> homes =
            o.has("homes") ? JsonFields.strings(name, field(name, o, "homes")) : List.of(prefix);
        sources.add(new SourcePin(prefix, str(name, o, "pin"), num(name, o, "version"), homes));
      }
    }
    return CommitState.of(marks, readProperties(name, root, n), sources);
  }

  private static void putProperties(ObjectNode n, Map<String, String> properties) {
    if (!properties.isEmpty()) {
      ObjectNode p = n.putObject(PROPERTIES);
      properties.forEach(p::put);
    }
  }

  private static Map<String, String> readProperties(String name, JsonNode root, JsonNode n) {
    if (!n.has(PROPERTIES)) {
      return Map.of();
    }
    JsonHeader.requireFormat(name, root, JsonHeader.COMMITS_FORMAT_VERSION, PROPERTIES);
    JsonNode p = field(name, n, PROPERTIES);
    if (!p.isObject()) {
      throw new CorruptionException(
          "manifest object " + name + ": field '" + PROPERTIES + "' is not an object");
    }
    Map<String, String> out = new TreeMap<>();
    p.fields().forEachRemaining(e -> out.put(e.getKey(), str(name, p, e.getKey())));
    return out;
  }
}
