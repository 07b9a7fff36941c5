package io.isledb.testing;

import io.isledb.ObjectInfo;
import io.isledb.RequestStats;
import io.isledb.manifest.ManifestStore;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** A {@link ManifestStore} that forwards every call to another: override what a test changes. */
public class ForwardingManifestStore implements ManifestStore {
  protected final ManifestStore s;

  public ForwardingManifestStore(ManifestStore delegate) {
    this.s = delegate;
  }

  @Override
  public String location() {
    return s.location();
  }

  @Override
  public String prefix() {
    return s.prefix();
  }

  @Override
  public ManifestStore sibling(String prefix) {
    return s.sibling(prefix);
  }

  @Override
  public RequestStats stats() {
    return s.stats();
  }

  @Override
  public void checkAtomicCreate() {
    s.checkAtomicCreate();
  }

  @Override
  public boolean appendIfAbsent(long seq, byte[] edit) {
    return s.appendIfAbsent(seq, edit);
  }

  @Override
  public Optional<byte[]> readLog(long seq) {
    return s.readLog(seq);
  }

  @Override
  public List<byte[]> readLogRange(long fromSeq, int max) {
    return s.readLogRange(fromSeq, max);
  }

  @Override
  public Optional<byte[]> get(String name) {
    return s.get(name);
  }

  @Override
  public void put(String name, byte[] data) {
    s.put(name, data);
  }

  @Override
  public boolean createIfAbsent(String name, byte[] data) {
    return s.createIfAbsent(name, data);
  }

  @Override
  public Optional<ObjectInfo> stat(String name) {
    return s.stat(name);
  }

  @Override
  public List<ObjectInfo> list(String namePrefix) {
    return s.list(namePrefix);
  }

  @Override
  public void delete(String name) {
    s.delete(name);
  }

  @Override
  public void deleteAll(Collection<String> names) {
    s.deleteAll(names);
  }

  @Override
  public int deleteAbandonedTemporaries(long olderThanMillis) {
    return s.deleteAbandonedTemporaries(olderThanMillis);
  }

  @Override
  public boolean hasOwnClock() {
    return s.hasOwnClock();
  }

  @Override
  public void close() {
    s.close();
  }
}
