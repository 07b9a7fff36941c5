package io.isledb.testing;

import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.ObjectUpload;
import io.isledb.RequestStats;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestStore;
import io.isledb.manifest.ManifestStoreDecorator;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;

/**
 * An {@link ObjectStore} decorator that tells a {@link Hook} about every request before and after
 * it reaches the store. Crash tests use it in child JVMs to stop a process at an exact point of its
 * protocol ({@link KillPoint}: "just before the manifest append", "half way through an SST upload")
 * and in the parent to notice reads of objects that are missing.
 *
 * <p>{@code deleteAll} is passed on one object at a time, with the hook called around each, so a
 * kill can land in the middle of a bulk deletion. A manifest store kept elsewhere (JDBC) is wrapped
 * in a {@link HookedManifestStore} with the same hook, so {@code manifest/...} points fire on
 * either manifest store. Use it only in tests.
 */
public final class HookedObjectStore implements ObjectStore, ManifestStoreDecorator {

  /** The requests a hook sees. */
  public enum Op {
    GET,
    GET_RANGE,
    PUT,
    CREATE_IF_ABSENT,
    UPLOAD_START,
    /** One {@code write} call of a streaming upload. */
    UPLOAD_WRITE,
    UPLOAD_COMPLETE,
    STAT,
    LIST,
    /** One object of a {@code delete} or {@code deleteAll}. */
    DELETE
  }

  /** Before or after the request reached the store. */
  public enum Phase {
    BEFORE,
    AFTER
  }

  /** Sees requests; may block (to hold a process at a point) or throw. */
  public interface Hook {
    void on(Op op, Phase phase, String name);

    /** A read of {@code name} found no object. */
    default void missing(Op op, String name) {}
  }

  /**
   * A hook that only records reads of table and blob objects that found nothing, as {@code "<op>
   * <name>"}: a reader must never meet a missing data object.
   */
  public static Hook recordMissingData(Queue<String> into) {
    return new Hook() {
      @Override
      public void on(Op op, Phase phase, String name) {}

      @Override
      public void missing(Op op, String name) {
        if (name.startsWith(ManifestPaths.SST_DIR) || name.startsWith(ManifestPaths.BLOB_DIR)) {
          into.add(op + " " + name);
        }
      }
    };
  }

  private final ObjectStore delegate;
  private final Hook hook;

  public HookedObjectStore(ObjectStore delegate, Hook hook) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.hook = Objects.requireNonNull(hook, "hook");
  }

  @Override
  public ManifestStore decorateManifestStore(ManifestStore opened) {
    return new HookedManifestStore(opened, hook);
  }

  /** The wrapped store. */
  public ObjectStore delegate() {
    return delegate;
  }

  private <T> Optional<T> read(Op op, String name, Optional<T> r) {
    if (r.isEmpty()) {
      hook.missing(op, name);
    }
    hook.on(op, Phase.AFTER, name);
    return r;
  }

  @Override
  public String location() {
    return delegate.location();
  }

  @Override
  public String prefix() {
    return delegate.prefix();
  }

  /** The wrapped store's sibling, seen by the same hook (with names relative to that prefix). */
  @Override
  public ObjectStore sibling(String prefix) {
    return new HookedObjectStore(delegate.sibling(prefix), hook);
  }

  @Override
  public Optional<byte[]> get(String name) {
    hook.on(Op.GET, Phase.BEFORE, name);
    return read(Op.GET, name, delegate.get(name));
  }

  @Override
  public Optional<byte[]> getRange(String name, long offset, int length) {
    hook.on(Op.GET_RANGE, Phase.BEFORE, name);
    return read(Op.GET_RANGE, name, delegate.getRange(name, offset, length));
  }

  @Override
  public Optional<byte[]> getRange(String name, long objectSize, long offset, int length) {
    hook.on(Op.GET_RANGE, Phase.BEFORE, name);
    return read(Op.GET_RANGE, name, delegate.getRange(name, objectSize, offset, length));
  }

  @Override
  public void put(String name, byte[] data) {
    hook.on(Op.PUT, Phase.BEFORE, name);
    delegate.put(name, data);
    hook.on(Op.PUT, Phase.AFTER, name);
  }

  @Override
  public boolean createIfAbsent(String name, byte[] data) {
    hook.on(Op.CREATE_IF_ABSENT, Phase.BEFORE, name);
    boolean created = delegate.createIfAbsent(name, data);
    hook.on(Op.CREATE_IF_ABSENT, Phase.AFTER, name);
    return created;
  }

  @Override
  public ObjectUpload startUpload(String name) {
    hook.on(Op.UPLOAD_START, Phase.BEFORE, name);
    ObjectUpload inner = delegate.startUpload(name);
    hook.on(Op.UPLOAD_START, Phase.AFTER, name);
    return new ObjectUpload() {
      @Override
      public void write(byte[] data, int offset, int length) {
        hook.on(Op.UPLOAD_WRITE, Phase.BEFORE, name);
        inner.write(data, offset, length);
        hook.on(Op.UPLOAD_WRITE, Phase.AFTER, name);
      }

      @Override
      public long position() {
        return inner.position();
      }

      @Override
      public long complete() {
        hook.on(Op.UPLOAD_COMPLETE, Phase.BEFORE, name);
        long size = inner.complete();
        hook.on(Op.UPLOAD_COMPLETE, Phase.AFTER, name);
        return size;
      }

      @Override
      public void close() {
        inner.close();
      }
    };
  }

  @Override
  public Optional<ObjectInfo> stat(String name) {
    hook.on(Op.STAT, Phase.BEFORE, name);
    return read(Op.STAT, name, delegate.stat(name));
  }

  @Override
  public Iterator<ObjectInfo> list(String namePrefix) {
    hook.on(Op.LIST, Phase.BEFORE, namePrefix);
    Iterator<ObjectInfo> it = delegate.list(namePrefix);
    hook.on(Op.LIST, Phase.AFTER, namePrefix);
    return it;
  }

  @Override
  public void delete(String name) {
    hook.on(Op.DELETE, Phase.BEFORE, name);
    delegate.delete(name);
    hook.on(Op.DELETE, Phase.AFTER, name);
  }

  @Override
  public void deleteAll(Collection<String> names) {
    for (String name : names) {
      hook.on(Op.DELETE, Phase.BEFORE, name);
      delegate.deleteAll(List.of(name));
      hook.on(Op.DELETE, Phase.AFTER, name);
    }
  }

  @Override
  public int deleteAbandonedTemporaries(String namePrefix, long olderThanMillis) {
    hook.on(Op.LIST, Phase.BEFORE, namePrefix);
    return delegate.deleteAbandonedTemporaries(namePrefix, olderThanMillis);
  }

  @Override
  public void checkAtomicCreate() {
    delegate.checkAtomicCreate();
  }

  @Override
  public boolean hasAtomicCreateIfAbsent() {
    return delegate.hasAtomicCreateIfAbsent();
  }

  @Override
  public RequestStats stats() {
    return delegate.stats();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
