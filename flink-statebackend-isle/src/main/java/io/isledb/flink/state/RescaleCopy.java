package io.isledb.flink.state;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ManifestStoreConfig;
import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.KeyGroupRange;

/**
 * The fallback of {@link RescaleFork} for a source it cannot fork: copies the entries of the owned
 * key groups from the handle's pinned version into the new database, rewriting state ids to this
 * backend's. Reads are ranged scans of whole key groups (the key layout puts the key group first),
 * so it reads and rewrites that source's owned state.
 */
final class RescaleCopy {
  private RescaleCopy() {}

  /**
   * Copies, merges the state registrations, and returns the key serializer to use. The handles'
   * databases are opened with {@code manifest}, this backend's manifest store.
   */
  static <K> TypeSerializer<K> copy(
      List<IsleCheckpoint> handles,
      KeyGroupRange range,
      ManifestStoreConfig manifest,
      StateDb target,
      StateRegistry registry,
      TypeSerializer<K> keySerializer,
      ClassLoader userClassLoader)
      throws Exception {
    TypeSerializer<K> current = keySerializer;
    for (IsleCheckpoint h : handles) {
      KeyGroupRange owned = h.getSourceKeyGroupRange().getIntersection(range);
      if (owned.getNumberOfKeyGroups() == 0) {
        continue;
      }
      try (ObjectStore store =
              target.resources().openStore(h.getStoreUri(), h.getPrefix(), h.hadoopConf());
          IsleDB db =
              IsleDB.open(
                  store, DBOptions.defaults().withManifestStore(manifest), target.resources());
          Reader reader = db.openReader(ReaderOptions.defaults());
          ReadView view = reader.openVersion(h.getVersion())) {
        Optional<byte[]> meta = view.get(StateKeys.META_KEY);
        if (meta.isEmpty()) {
          throw new IllegalStateException(
              "the checkpoint " + h + " has no isle state backend metadata");
        }
        StateRegistry.Decoded decoded = StateRegistry.decode(meta.get(), userClassLoader);
        current = StateRegistry.checkKeySerializer(current, decoded.keySerializerSnapshot());
        Map<Integer, Integer> ids = registry.merge(decoded);
        byte[] from = StateKeys.keyGroupStart(owned.getStartKeyGroup());
        byte[] to = StateKeys.keyGroupStart(owned.getEndKeyGroup() + 1);
        try (KvIterator it = view.scan(from, to)) {
          while (it.hasNext()) {
            KV kv = it.next();
            Integer id = ids.get(StateKeys.stateIdOf(kv.key()));
            if (id != null) {
              target.put(StateKeys.withStateId(kv.key(), id), kv.value());
            }
          }
        }
      }
    }
    return current;
  }
}
