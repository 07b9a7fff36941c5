package io.isledb.storage;

import io.isledb.ObjectInfo;
import io.isledb.RequestStats.RequestKind;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * S3A's recursive listFiles is one flat, paged LIST of the key prefix, already in key order. It can
 * only list whole "directories", so a partial last segment is filtered here; the listing stops at
 * the first key past the prefix.
 */
final class S3aFlatListing implements Iterator<ObjectInfo> {
  private final StoreContext ctx;
  private final String prefix;
  private final RemoteIterator<LocatedFileStatus> files;
  private long scanned;
  private ObjectInfo next;
  private boolean exhausted;

  S3aFlatListing(StoreContext ctx, String prefix) throws IOException {
    this.ctx = ctx;
    this.prefix = prefix;
    int slash = prefix.lastIndexOf('/');
    Path dir = slash < 0 ? ctx.root() : ctx.path(prefix.substring(0, slash));
    ctx.counters().count(RequestKind.LIST_PAGE);
    RemoteIterator<LocatedFileStatus> it;
    try {
      it = ctx.fs().listFiles(dir, true);
    } catch (FileNotFoundException e) {
      it = null;
    }
    this.files = it;
    this.exhausted = it == null;
  }

  private String relativeName(Path p) {
    String full = p.toUri().getPath();
    return full.length() > ctx.rootPath().length()
        ? full.substring(ctx.rootPath().length() + 1)
        : "";
  }

  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    try {
      while (!exhausted && files.hasNext()) {
        LocatedFileStatus st = files.next();
        if (++scanned % ctx.listPageSize() == 0) {
          ctx.counters().count(RequestKind.LIST_PAGE);
        }
        String name = relativeName(st.getPath());
        if (name.startsWith(prefix)) {
          next = new ObjectInfo(name, st.getLen(), st.getModificationTime());
          return true;
        }
        if (name.compareTo(prefix) > 0) {
          exhausted = true;
        }
      }
    } catch (FileNotFoundException e) {
      exhausted = true;
    } catch (IOException e) {
      throw ctx.failed("list", prefix + "*", e);
    }
    exhausted = true;
    return false;
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
