package io.isledb.storage;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local file system under a scheme IsleDB knows nothing about ({@code otherfs://}), standing in
 * for gs://, hdfs:// and the like: a scheme without a known-atomic create-if-absent.
 */
public class OtherSchemeFileSystem extends RawLocalFileSystem {
  static final URI URI_ROOT = URI.create("otherfs:///");

  @Override
  public URI getUri() {
    return URI_ROOT;
  }

  @Override
  public String getScheme() {
    return "otherfs";
  }
}
