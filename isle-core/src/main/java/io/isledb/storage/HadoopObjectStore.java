package io.isledb.storage;

import io.isledb.ObjectStore;
import java.util.Map;

/** Placeholder until the Hadoop FileSystem store lands (issue #2). */
public final class HadoopObjectStore {
  private HadoopObjectStore() {}

  public static ObjectStore open(String uri, String prefix, Map<String, String> hadoopConf) {
    throw new UnsupportedOperationException("not yet implemented");
  }
}
