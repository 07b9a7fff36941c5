package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.KV;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.RegisteredKeyValueStateBackendMetaInfo;
import org.apache.flink.runtime.state.StateSnapshotTransformer.StateSnapshotTransformFactory;
import org.apache.flink.runtime.state.internal.InternalListState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A list state is one entry per (key, namespace) whose value is the elements' frames: {@code add}
 * appends an engine operand (no read, no entry per element), {@code get} reads that one entry,
 * {@code mergeNamespaces} moves the sources' elements onto the target in order. Checkpoints of the
 * per-element layout (metadata version 1) with list states are refused with a clear message.
 */
class ListLayoutTest {
  @TempDir Path dir;

  @Test
  void aListIsOneEntryAndMergesNamespacesInOrder() throws Exception {
    try (BackendTestKit kit = new BackendTestKit(dir, new Configuration())) {
      IsleKeyedStateBackend<Long> b = kit.create(LongSerializer.INSTANCE);
      try {
        @SuppressWarnings("unchecked")
        InternalListState<Long, Integer, Long> list =
            (InternalListState<Long, Integer, Long>)
                b.getPartitionedState(
                    1,
                    IntSerializer.INSTANCE,
                    new ListStateDescriptor<>("l", LongSerializer.INSTANCE));
        b.setCurrentKey(7L);
        list.setCurrentNamespace(1);
        for (long i = 0; i < 100; i++) {
          list.add(i);
        }
        list.addAll(List.of(100L, 101L));
        list.addAll(List.of());
        assertThat(list.get()).hasSize(102).startsWith(0L, 1L).endsWith(100L, 101L);
        assertThat(entriesOf(b, b.registry().get("l").id)).isEqualTo(1);

        list.setCurrentNamespace(2);
        list.add(200L);
        list.setCurrentNamespace(3);
        list.update(List.of(300L, 301L));
        list.setCurrentNamespace(4); // empty: nothing to move
        list.mergeNamespaces(2, List.of(3, 1, 4));
        list.setCurrentNamespace(2);
        List<Long> merged = (List<Long>) list.get();
        assertThat(merged).hasSize(105).startsWith(200L, 300L, 301L, 0L).endsWith(101L);
        list.setCurrentNamespace(1);
        assertThat(list.get()).isNull();
        list.setCurrentNamespace(3);
        assertThat(list.get()).isNull();

        list.setCurrentNamespace(2);
        list.clear();
        assertThat(list.get()).isNull();
        list.add(5L);
        assertThat(list.get()).containsExactly(5L);
        assertThat(entriesOf(b, b.registry().get("l").id)).isEqualTo(1);
      } finally {
        b.dispose();
      }
    }
  }

  private static long entriesOf(IsleKeyedStateBackend<Long> b, int stateId) {
    long n = 0;
    for (int kg = 0; kg < b.getNumberOfKeyGroups(); kg++) {
      byte[] prefix = StateKeys.statePrefix(kg, stateId);
      List<KV> kvs = b.db().scan(prefix, StateKeys.prefixEnd(prefix), 1000);
      n += kvs.size();
    }
    return n;
  }

  @Test
  void aPerElementLayoutCheckpointWithListsIsRefused() throws IOException {
    StateRegistry withList = new StateRegistry();
    withList.register(meta(StateDescriptor.Type.LIST, "events"));
    byte[] record = asVersion1(withList.encode(LongSerializer.INSTANCE));
    assertThatThrownBy(() -> StateRegistry.decode(record, getClass().getClassLoader()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("list state 'events'")
        .hasMessageContaining("per-element list layout")
        .hasMessageContaining("canonical savepoint");

    StateRegistry noList = new StateRegistry();
    noList.register(meta(StateDescriptor.Type.VALUE, "count"));
    StateRegistry.Decoded d =
        StateRegistry.decode(
            asVersion1(noList.encode(LongSerializer.INSTANCE)), getClass().getClassLoader());
    assertThat(d.ids()).containsKey("count");
    // The current version reads its own records with lists.
    assertThat(
            StateRegistry.decode(
                    withList.encode(LongSerializer.INSTANCE), getClass().getClassLoader())
                .ids())
        .containsKey("events");
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static RegisteredKeyValueStateBackendMetaInfo<Integer, Object> meta(
      StateDescriptor.Type type, String name) {
    TypeSerializer state =
        type == StateDescriptor.Type.LIST
            ? new ListSerializer<>(LongSerializer.INSTANCE)
            : LongSerializer.INSTANCE;
    return new RegisteredKeyValueStateBackendMetaInfo<Integer, Object>(
        type, name, IntSerializer.INSTANCE, state, StateSnapshotTransformFactory.noTransform());
  }

  private static byte[] asVersion1(byte[] record) {
    byte[] out = record.clone();
    out[0] = 0;
    out[1] = 0;
    out[2] = 0;
    out[3] = 1;
    return out;
  }
}
