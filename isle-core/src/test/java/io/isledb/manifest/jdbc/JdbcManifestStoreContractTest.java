package io.isledb.manifest.jdbc;

import io.isledb.IsleException;
import io.isledb.ManifestStoreConfig;
import io.isledb.ObjectStore;
import io.isledb.manifest.ManifestStore;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.ForwardingManifestStore;
import io.isledb.testing.ManifestStoreContract;
import io.isledb.testing.PostgresServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The manifest-store contract for {@link JdbcManifestStore} on a real PostgreSQL server. A lost
 * response is a create that committed and whose caller then gets an UNAVAILABLE error, as if every
 * retry of the store had failed (the store's own retry on a lost connection is in {@link
 * JdbcManifestStoreFailuresTest}).
 */
class JdbcManifestStoreContractTest extends ManifestStoreContract {
  @RegisterExtension static final PostgresServerExtension PG = PostgresServerExtension.shared();

  private final List<AutoCloseable> opened = new ArrayList<>();

  private ManifestStore open(ManifestStoreConfig config) {
    ObjectStore objects = new InMemoryObjectStore(); // a location of its own: a fresh database
    JdbcManifestStore store = JdbcManifestStore.open(objects, config);
    opened.add(store);
    opened.add(objects);
    return store;
  }

  @Override
  protected ManifestStore openStore() {
    return open(PG.config());
  }

  @Override
  protected Lossy openLossyStore() {
    AtomicBoolean lose = new AtomicBoolean();
    ManifestStore real = open(PG.config());
    return new Lossy(new LosingCreates(real, lose), () -> lose.set(true));
  }

  @Override
  protected void closeStores() {
    for (AutoCloseable c : opened) {
      try {
        c.close();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    opened.clear();
  }

  /** Loses the response of the next create after it committed, once it is armed. */
  private static final class LosingCreates extends ForwardingManifestStore {
    private final AtomicBoolean lose;

    LosingCreates(ManifestStore s, AtomicBoolean lose) {
      super(s);
      this.lose = lose;
    }

    private <T> T lost(T result, String name) {
      if (lose.compareAndSet(true, false)) {
        throw IsleException.unavailable(
            "the response to the create of " + name + " was lost", null);
      }
      return result;
    }

    @Override
    public boolean appendIfAbsent(long seq, byte[] edit) {
      return lost(s.appendIfAbsent(seq, edit), "log " + seq);
    }

    @Override
    public boolean createIfAbsent(String name, byte[] data) {
      return lost(s.createIfAbsent(name, data), name);
    }
  }
}
