package io.isledb.flink.state;

import io.isledb.KV;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.MapSerializer;
import org.apache.flink.api.common.typeutils.base.MapSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.RegisteredKeyValueStateBackendMetaInfo;
import org.apache.flink.runtime.state.ttl.TtlAwareSerializer;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;
import org.apache.flink.util.StateMigrationException;

/**
 * Migrates the stored values of one state whose new serializer is "compatible after migration" with
 * the one its checkpoint was written with: every entry of the state, in every key group of the
 * backend, is read with the previous serializer and written back with the new one, as Flink's
 * RocksDB backend does ({@code RocksDBKeyedStateBackend#migrateStateValues}). Keys stay as they
 * are: key, namespace and map user keys must be compatible as is.
 *
 * <p>Both serializers are wrapped in Flink's {@link TtlAwareSerializer}, so a state that gains or
 * loses TTL is migrated too: values lose their {@code TtlValue} wrapper, or gain one stamped with
 * the current time of the backend's {@link TtlTimeProvider}. Per entry, the value is what the state
 * kind stores: the whole value (value, reducing, aggregating), framed elements (list), or a null
 * flag and a user value (map).
 *
 * <p>Runs on the task thread when the state is first registered after a restore; the migrated
 * values go through the writer (memtable, then flushes), so the next checkpoint holds them.
 */
final class StateMigration {
  private StateMigration() {}

  /**
   * Migrates the values of state {@code stateId} from {@code meta}'s previous serializer to its
   * current one.
   *
   * @throws StateMigrationException when a map's user key serializer changed, or a value cannot be
   *     read or written
   */
  static void migrate(
      StateDb db,
      KeyGroupRange keyGroups,
      int stateId,
      StateDescriptor<?, ?> desc,
      RegisteredKeyValueStateBackendMetaInfo<?, ?> meta,
      TtlTimeProvider time)
      throws StateMigrationException {
    TypeSerializer<?> previous = meta.getPreviousStateSerializer();
    TypeSerializer<?> current = meta.getStateSerializer();
    if (desc.getType() == StateDescriptor.Type.MAP) {
      checkMapKeys(desc.getName(), meta.getPreviousStateSerializerSnapshot(), current);
    }
    EntryMigration entries = entryMigration(desc.getType(), previous, current, time);
    DataInputDeserializer in = new DataInputDeserializer();
    DataOutputSerializer out = new DataOutputSerializer(128);
    long migrated = 0;
    for (int kg = keyGroups.getStartKeyGroup(); kg <= keyGroups.getEndKeyGroup(); kg++) {
      byte[] prefix = StateKeys.statePrefix(kg, stateId);
      byte[] end = StateKeys.prefixEnd(prefix);
      byte[] from = prefix;
      while (true) {
        List<KV> batch = db.scan(from, end, AbstractIsleState.SCAN_BATCH);
        for (KV kv : batch) {
          in.setBuffer(kv.value());
          out.clear();
          try {
            entries.migrate(in, out);
          } catch (IOException | RuntimeException e) {
            throw new StateMigrationException(
                "cannot migrate a value of state '"
                    + desc.getName()
                    + "' (key group "
                    + kg
                    + ") from "
                    + previous
                    + " to "
                    + current,
                e);
          }
          db.put(kv.key(), out.getCopyOfBuffer());
          migrated++;
        }
        if (batch.size() < AbstractIsleState.SCAN_BATCH) {
          break;
        }
        from = AbstractIsleState.successor(batch.get(batch.size() - 1).key());
      }
    }
    org.slf4j.LoggerFactory.getLogger(StateMigration.class)
        .info("Migrated {} entries of state '{}' to its new serializer.", migrated, desc.getName());
  }

  /** Rewrites one stored entry from {@code in} into {@code out}. */
  @FunctionalInterface
  private interface EntryMigration {
    void migrate(DataInputDeserializer in, DataOutputSerializer out) throws IOException;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static EntryMigration entryMigration(
      StateDescriptor.Type type,
      TypeSerializer<?> previous,
      TypeSerializer<?> current,
      TtlTimeProvider time) {
    TtlAwareSerializer prior = TtlAwareSerializer.wrapTtlAwareSerializer(previous);
    TtlAwareSerializer next = TtlAwareSerializer.wrapTtlAwareSerializer(current);
    switch (type) {
      case LIST:
        {
          // One entry of framed elements (see ListFraming): each element migrates in its frame.
          TtlAwareSerializer priorElem =
              ((TtlAwareSerializer.TtlAwareListSerializer) prior).getElementSerializer();
          TtlAwareSerializer nextElem =
              ((TtlAwareSerializer.TtlAwareListSerializer) next).getElementSerializer();
          return (in, out) -> {
            byte[] all = new byte[in.available()];
            in.readFully(all);
            DataInputDeserializer elementIn = new DataInputDeserializer();
            DataOutputSerializer elementOut = new DataOutputSerializer(64);
            for (byte[] element : ListFraming.split(all, "a list entry")) {
              elementIn.setBuffer(element);
              elementOut.clear();
              nextElem.migrateValueFromPriorSerializer(
                  priorElem, () -> priorElem.deserialize(elementIn), elementOut, time);
              out.writeInt(elementOut.length());
              out.write(elementOut.getSharedBuffer(), 0, elementOut.length());
            }
          };
        }
      case MAP:
        {
          // isNull flag, then the user value when not null (see IsleMapState).
          TtlAwareSerializer priorValue =
              ((TtlAwareSerializer.TtlAwareMapSerializer) prior).getValueSerializer();
          TtlAwareSerializer nextValue =
              ((TtlAwareSerializer.TtlAwareMapSerializer) next).getValueSerializer();
          return (in, out) -> {
            boolean isNull = in.readBoolean();
            out.writeBoolean(isNull);
            if (!isNull) {
              nextValue.migrateValueFromPriorSerializer(
                  priorValue, () -> priorValue.deserialize(in), out, time);
            }
          };
        }
      default:
        return (in, out) ->
            next.migrateValueFromPriorSerializer(prior, () -> prior.deserialize(in), out, time);
    }
  }

  /** A map's user keys are part of the entries' keys: only their values can migrate. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void checkMapKeys(
      String name, TypeSerializerSnapshot<?> previous, TypeSerializer<?> current)
      throws StateMigrationException {
    if (!(previous instanceof MapSerializerSnapshot) || !(current instanceof MapSerializer)) {
      throw new StateMigrationException(
          "map state '" + name + "' was not written with a map serializer: " + previous);
    }
    TypeSerializer userKeys = ((MapSerializer<?, ?>) current).getKeySerializer();
    TypeSerializerSnapshot previousKeys =
        ((MapSerializerSnapshot<?, ?>) previous).getKeySerializerSnapshot();
    TypeSerializerSchemaCompatibility<?> compat =
        userKeys.snapshotConfiguration().resolveSchemaCompatibility(previousKeys);
    if (!compat.isCompatibleAsIs()) {
      throw new StateMigrationException(
          "The new serializer for map state '"
              + name
              + "' requires state migration in order for the job to proceed, since the key"
              + " schema has changed. However, migration for MapState currently only allows"
              + " value schema evolutions.");
    }
  }
}
