package io.isledb.testing;

import io.isledb.ObjectInfo;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestStore;
import io.isledb.testing.HookedObjectStore.Hook;
import io.isledb.testing.HookedObjectStore.Op;
import io.isledb.testing.HookedObjectStore.Phase;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A {@link ManifestStore} that tells a {@link HookedObjectStore.Hook} about every operation as the
 * request the object-store manifest would issue for it (same {@link Op}, same {@code manifest/...}
 * name): a log append is a {@code CREATE_IF_ABSENT} of {@code manifest/log/<seq>.json}, a pin write
 * a {@code PUT}, and so on. So a {@link KillPoint} or hook written for the manifest on the object
 * store fires at the same protocol step when the manifest lives in a database table. {@link
 * HookedObjectStore} installs it on a separate manifest store through {@link
 * io.isledb.manifest.ManifestStoreDecorator}.
 *
 * <p>As on {@link HookedObjectStore}, {@code deleteAll} goes one name at a time and a log range is
 * read one entry at a time (the object store's own pattern), so a kill can land between any two.
 */
public final class HookedManifestStore extends ForwardingManifestStore {
  private final Hook hook;

  public HookedManifestStore(ManifestStore delegate, Hook hook) {
    super(delegate);
    this.hook = hook;
  }

  private <T> T after(Op op, String name, T r) {
    if (r instanceof Optional<?> o && o.isEmpty()) {
      hook.missing(op, name);
    }
    hook.on(op, Phase.AFTER, name);
    return r;
  }

  /** The sibling, seen by the same hook (names relative to that prefix, as on the object store). */
  @Override
  public ManifestStore sibling(String prefix) {
    return new HookedManifestStore(s.sibling(prefix), hook);
  }

  @Override
  public boolean appendIfAbsent(long seq, byte[] edit) {
    String name = ManifestPaths.log(seq);
    hook.on(Op.CREATE_IF_ABSENT, Phase.BEFORE, name);
    return after(Op.CREATE_IF_ABSENT, name, s.appendIfAbsent(seq, edit));
  }

  @Override
  public Optional<byte[]> readLog(long seq) {
    String name = ManifestPaths.log(seq);
    hook.on(Op.GET, Phase.BEFORE, name);
    return after(Op.GET, name, s.readLog(seq));
  }

  @Override
  public List<byte[]> readLogRange(long fromSeq, int max) {
    return ManifestStore.readLogOneByOne(this, fromSeq, max); // each read through the hook
  }

  @Override
  public Optional<byte[]> get(String name) {
    hook.on(Op.GET, Phase.BEFORE, name);
    return after(Op.GET, name, s.get(name));
  }

  @Override
  public void put(String name, byte[] data) {
    hook.on(Op.PUT, Phase.BEFORE, name);
    s.put(name, data);
    hook.on(Op.PUT, Phase.AFTER, name);
  }

  @Override
  public boolean createIfAbsent(String name, byte[] data) {
    hook.on(Op.CREATE_IF_ABSENT, Phase.BEFORE, name);
    return after(Op.CREATE_IF_ABSENT, name, s.createIfAbsent(name, data));
  }

  @Override
  public Optional<ObjectInfo> stat(String name) {
    hook.on(Op.STAT, Phase.BEFORE, name);
    return after(Op.STAT, name, s.stat(name));
  }

  @Override
  public List<ObjectInfo> list(String namePrefix) {
    hook.on(Op.LIST, Phase.BEFORE, namePrefix);
    return after(Op.LIST, namePrefix, s.list(namePrefix));
  }

  @Override
  public void delete(String name) {
    hook.on(Op.DELETE, Phase.BEFORE, name);
    s.delete(name);
    hook.on(Op.DELETE, Phase.AFTER, name);
  }

  @Override
  public void deleteAll(Collection<String> names) {
    for (String name : names) {
      hook.on(Op.DELETE, Phase.BEFORE, name);
      s.deleteAll(List.of(name));
      hook.on(Op.DELETE, Phase.AFTER, name);
    }
  }

  @Override
  public int deleteAbandonedTemporaries(long olderThanMillis) {
    hook.on(Op.LIST, Phase.BEFORE, ManifestPaths.MANIFEST_DIR);
    return s.deleteAbandonedTemporaries(olderThanMillis);
  }
}
