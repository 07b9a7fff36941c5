package io.isledb.testing;

import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.manifest.ManifestStore;
import io.isledb.manifest.ObjectStoreManifestStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The manifest-store contract for {@link ObjectStoreManifestStore} on one kind of object store:
 * subclasses open the object store. A lost response is a create that reached the store and whose
 * caller then gets an UNAVAILABLE error ({@link HookedObjectStore}, after the request).
 */
public abstract class ObjectStoreManifestStoreContract extends ManifestStoreContract {
  private final List<ObjectStore> opened = new ArrayList<>();

  /** An object store of a fresh, empty database prefix. */
  protected abstract ObjectStore openObjectStore();

  @Override
  protected ManifestStore openStore() {
    ObjectStore s = openObjectStore();
    opened.add(s);
    return new ObjectStoreManifestStore(s);
  }

  @Override
  protected Lossy openLossyStore() {
    AtomicBoolean lose = new AtomicBoolean();
    ObjectStore s =
        new HookedObjectStore(
            openObjectStore(),
            (op, phase, name) -> {
              if (op == HookedObjectStore.Op.CREATE_IF_ABSENT
                  && phase == HookedObjectStore.Phase.AFTER
                  && lose.compareAndSet(true, false)) {
                throw IsleException.unavailable(
                    "the response to the create of " + name + " was lost (test)", null);
              }
            });
    opened.add(s);
    return new Lossy(new ObjectStoreManifestStore(s), () -> lose.set(true));
  }

  @Override
  protected void closeStores() {
    opened.forEach(ObjectStore::close);
    opened.clear();
  }
}
