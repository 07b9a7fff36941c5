package io.isledb.storage;

import io.isledb.util.Internal;
import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.hadoop.fs.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reference-counted FileSystem instances, one per (scheme, authority, Hadoop configuration): the
 * stores of many database prefixes under one bucket share one client (its connection pool and
 * threads). The last store to close closes the FileSystem. Thread-safe.
 */
@Internal
public final class SharedFileSystems {
  private static final Logger LOG = LoggerFactory.getLogger(SharedFileSystems.class);

  private static final class Entry {
    final FileSystem fs;
    int users;

    Entry(FileSystem fs) {
      this.fs = fs;
    }
  }

  private final Map<String, Entry> entries = new HashMap<>();

  /**
   * The sharing key: scheme and authority (not the path: prefixes and base directories share a
   * client) plus the whole configuration the caller passed. Stays in memory only, never logged.
   */
  static String key(URI base, Map<String, String> hadoopConf) {
    String scheme = base.getScheme().toLowerCase(Locale.ROOT);
    String authority = base.getRawAuthority() == null ? "" : base.getRawAuthority();
    return scheme + "://" + authority + "|" + new TreeMap<>(hadoopConf);
  }

  synchronized FileSystem acquire(String key, Supplier<FileSystem> opener) {
    Entry e = entries.get(key);
    if (e == null) {
      e = new Entry(opener.get());
      entries.put(key, e);
    }
    e.users++;
    return e.fs;
  }

  void release(String key) throws IOException {
    FileSystem toClose;
    synchronized (this) {
      Entry e = entries.get(key);
      if (e == null) {
        return;
      }
      if (--e.users > 0) {
        return;
      }
      entries.remove(key);
      toClose = e.fs;
    }
    toClose.close();
  }

  /** FileSystem instances currently open. */
  public synchronized int openFileSystems() {
    return entries.size();
  }

  /** Closes every FileSystem still open (stores still using them fail from then on). */
  public void closeAll() {
    Map<String, Entry> left;
    synchronized (this) {
      left = new HashMap<>(entries);
      entries.clear();
    }
    for (Entry e : left.values()) {
      try {
        e.fs.close();
      } catch (IOException ex) {
        LOG.warn("closing a shared file system failed: {}", Redaction.redact(ex.toString()));
      }
    }
  }
}
