package io.isledb.storage;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.fs.Path;

/**
 * The local file system under the {@code noreplacefs://} scheme, with the rename of object stores
 * and HDFS: it never replaces an existing file (returns false instead), and it returns false for a
 * missing source. A test can make renames fail or have the source vanish through {@link #hook}; the
 * hook is static because Hadoop creates the instance by reflection. Tests using it must reset it.
 */
public class NoReplaceFileSystem extends OtherSchemeFileSystem {
  static final URI URI_ROOT = URI.create("noreplacefs:///");

  /** Decides what a rename does before it happens. */
  @FunctionalInterface
  interface RenameHook {
    /**
     * Called before each rename; return false to make the rename fail (return false) without doing
     * anything. The hook may also delete {@code src} to make it vanish.
     */
    boolean beforeRename(Path src, Path dst) throws IOException;
  }

  static volatile RenameHook hook = (src, dst) -> true;

  @Override
  public URI getUri() {
    return URI_ROOT;
  }

  @Override
  public String getScheme() {
    return "noreplacefs";
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    if (!hook.beforeRename(src, dst)) {
      return false;
    }
    if (!exists(src) || exists(dst)) {
      return false;
    }
    return super.rename(src, dst);
  }
}
