package io.isledb.storage;

import io.isledb.ObjectInfo;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Lists a directory tree lazily in the byte order of full object names, the order S3 lists keys in.
 *
 * <p>A plain sorted depth-first walk is not enough: directory {@code a} sorts before file {@code
 * a-c}, but its children {@code a/b} sort after it ('-' is 0x2d, '/' is 0x2f). Sorting each
 * directory's entries by {@code name + "/"} for directories and {@code name} for files gives
 * exactly the order of the full names.
 */
final class SortedTreeIterator implements Iterator<ObjectInfo> {

  /** One entry of a directory listing, named relative to the database prefix. */
  record Entry(String name, boolean directory, long size, long lastModifiedMillis) {
    String sortKey() {
      return directory ? name + "/" : name;
    }
  }

  /** Lists one directory (relative name, "" for the root); a missing directory lists as empty. */
  interface DirectoryLister {
    List<Entry> list(String relativeDir) throws IOException;
  }

  private final DirectoryLister lister;
  private final java.util.function.Function<IOException, io.isledb.IsleException> onFailure;
  private final String prefix;
  private final Deque<Iterator<Entry>> stack = new ArrayDeque<>();
  private ObjectInfo next;

  /**
   * @param onFailure maps a failed directory listing met while iterating (the iterator interface
   *     cannot throw IOException) to the store's error
   */
  SortedTreeIterator(
      DirectoryLister lister,
      String prefix,
      java.util.function.Function<IOException, io.isledb.IsleException> onFailure)
      throws IOException {
    this.lister = lister;
    this.onFailure = onFailure;
    this.prefix = prefix;
    int slash = prefix.lastIndexOf('/');
    push(slash < 0 ? "" : prefix.substring(0, slash));
  }

  private void push(String relativeDir) throws IOException {
    List<Entry> kept = new ArrayList<>();
    for (Entry e : lister.list(relativeDir)) {
      String last = e.name.substring(e.name.lastIndexOf('/') + 1);
      if (last.startsWith(".")) {
        continue; // temporary files of in-flight writes
      }
      if (e.sortKey().startsWith(prefix) || prefix.startsWith(e.sortKey())) {
        kept.add(e);
      }
    }
    kept.sort(Comparator.comparing(Entry::sortKey));
    stack.push(kept.iterator());
  }

  /** Advances to the next object; I/O failures propagate from the lister. */
  private ObjectInfo advance() throws IOException {
    while (!stack.isEmpty()) {
      Iterator<Entry> top = stack.peek();
      if (!top.hasNext()) {
        stack.pop();
        continue;
      }
      Entry e = top.next();
      if (e.directory) {
        push(e.name);
      } else if (e.name.startsWith(prefix)) {
        return new ObjectInfo(e.name, e.size, e.lastModifiedMillis);
      }
    }
    return null;
  }

  @Override
  public boolean hasNext() {
    if (next == null) {
      try {
        next = advance();
      } catch (IOException e) {
        throw onFailure.apply(e);
      }
    }
    return next != null;
  }

  @Override
  public ObjectInfo next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    ObjectInfo out = next;
    next = null;
    return out;
  }
}
