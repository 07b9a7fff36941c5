package io.isledb.inspect;

import io.isledb.ObjectStore;
import io.isledb.manifest.ManifestStore;

/** Opens an {@link Inspector} on a manifest store of a test's own (ManifestIsolationTest). */
public final class Inspectors {
  private Inspectors() {}

  public static Inspector open(ObjectStore store, ManifestStore manifestStore) {
    return Inspector.open(store, manifestStore);
  }
}
