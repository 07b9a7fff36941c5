package io.isledb.examples;

import io.isledb.IsleDB;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where a run's data lies: the objects under the table, the state backend's directory and the
 * checkpoint directory, counted by top-level folder, listed with isle-core's {@link ObjectStore}.
 *
 * @param places one line per place: what it is, its URI, objects, bytes and folders
 */
public record StorageSummary(List<Place> places) {

  /**
   * One place.
   *
   * @param what "table", "state" or "checkpoints"
   * @param uri the place's URI
   * @param objects number of objects
   * @param bytes their total size
   * @param databases IsleDB databases below it (prefixes holding a manifest)
   * @param folders objects per top-level folder
   */
  public record Place(
      String what,
      String uri,
      long objects,
      long bytes,
      int databases,
      Map<String, Long> folders) {}

  static StorageSummary of(JobSettings s, String run) {
    List<Place> places = new ArrayList<>();
    places.add(list("table", s.tablePath(run), s.hadoop()));
    places.add(list("state", s.stateDir(run), s.hadoop()));
    places.add(
        list(
            "checkpoints",
            s.checkpointDir(run),
            s.checkpointDir(run).startsWith("file:") ? Map.of() : s.hadoop()));
    return new StorageSummary(places);
  }

  /** A location's store URI ({@code scheme://authority/}) and database prefix (its path). */
  static String[] storeAndPrefix(String path) {
    URI u = URI.create(path);
    String auth = u.getRawAuthority() == null ? "" : u.getRawAuthority();
    return new String[] {u.getScheme() + "://" + auth + "/", u.getPath().replaceAll("^/+|/+$", "")};
  }

  static Place list(String what, String path, Map<String, String> hadoop) {
    String[] where = storeAndPrefix(path);
    long objects = 0;
    long bytes = 0;
    Map<String, Long> folders = new TreeMap<>();
    Set<String> databases = new TreeSet<>();
    try (ObjectStore os = IsleDB.openStore(where[0], where[1], hadoop)) {
      Iterator<ObjectInfo> it = os.list("");
      while (it.hasNext()) {
        ObjectInfo o = it.next();
        objects++;
        bytes += o.size();
        String name = o.name().replaceAll("^/+", "");
        int slash = name.indexOf('/');
        folders.merge(slash < 0 ? "." : name.substring(0, slash), 1L, Long::sum);
        int manifest = name.indexOf("manifest/");
        if (manifest >= 0) {
          databases.add(name.substring(0, manifest));
        }
      }
    } catch (RuntimeException e) {
      folders.put("(cannot list: " + e.getClass().getSimpleName() + ")", 0L);
    }
    return new Place(what, path, objects, bytes, databases.size(), folders);
  }
}
