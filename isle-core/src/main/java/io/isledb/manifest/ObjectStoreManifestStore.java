package io.isledb.manifest;

import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.RequestStats;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The default {@link ManifestStore}: manifest entries are objects of the database's own object
 * store, under the names FORMAT.md gives them. Atomic creation is the object store's
 * create-if-absent (If-None-Match on S3A, hard links on file://), which already resolves a lost
 * response by comparing the bytes in place.
 */
@Internal
public final class ObjectStoreManifestStore implements ManifestStore {
  private final ObjectStore store;

  public ObjectStoreManifestStore(ObjectStore store) {
    this.store = store;
  }

  /** The object store the entries live on. */
  public ObjectStore objectStore() {
    return store;
  }

  @Override
  public String location() {
    return store.location();
  }

  @Override
  public String prefix() {
    return store.prefix();
  }

  @Override
  public ManifestStore sibling(String prefix) {
    return new ObjectStoreManifestStore(store.sibling(prefix));
  }

  @Override
  public RequestStats stats() {
    return store.stats();
  }

  @Override
  public void checkAtomicCreate() {
    store.checkAtomicCreate();
  }

  @Override
  public boolean appendIfAbsent(long seq, byte[] edit) {
    return store.createIfAbsent(ManifestPaths.log(seq), edit);
  }

  @Override
  public Optional<byte[]> readLog(long seq) {
    return store.get(ManifestPaths.log(seq));
  }

  @Override
  public Optional<byte[]> get(String name) {
    return store.get(checked(name));
  }

  @Override
  public void put(String name, byte[] data) {
    store.put(checked(name), data);
  }

  @Override
  public boolean createIfAbsent(String name, byte[] data) {
    return store.createIfAbsent(checked(name), data);
  }

  @Override
  public Optional<ObjectInfo> stat(String name) {
    return store.stat(checked(name));
  }

  @Override
  public List<ObjectInfo> list(String namePrefix) {
    List<ObjectInfo> out = new ArrayList<>();
    store.list(checked(namePrefix)).forEachRemaining(out::add);
    return out;
  }

  @Override
  public void delete(String name) {
    store.delete(checked(name));
  }

  @Override
  public void deleteAll(Collection<String> names) {
    names.forEach(ObjectStoreManifestStore::checked);
    store.deleteAll(names);
  }

  @Override
  public int deleteAbandonedTemporaries(long olderThanMillis) {
    return store.deleteAbandonedTemporaries(ManifestPaths.MANIFEST_DIR, olderThanMillis);
  }

  @Override
  public String toString() {
    return "manifest on " + store.location();
  }

  /** Keeps the seam honest: nothing but manifest entries goes through a manifest store. */
  private static String checked(String name) {
    return ManifestPaths.checkManifestName(name);
  }
}
