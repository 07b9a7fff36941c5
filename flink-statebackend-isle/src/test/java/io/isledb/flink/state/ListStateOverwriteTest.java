package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.internal.InternalListState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ListState.update} is one put of the list's single entry: repeated updates leave no
 * tombstones for later gets and updates to scan past, and the list reads back as the last update
 * gave it, also when it grows or shrinks; only an update to an empty list deletes.
 */
class ListStateOverwriteTest {
  @TempDir Path dir;

  @Test
  void repeatedUpdatesWriteNoTombstonesAndKeepTheOrder() throws Exception {
    try (BackendTestKit kit = new BackendTestKit(dir, new Configuration())) {
      IsleKeyedStateBackend<Long> b = kit.create(LongSerializer.INSTANCE);
      try {
        InternalListState<Long, VoidNamespace, Long> list =
            (InternalListState<Long, VoidNamespace, Long>)
                b.getPartitionedState(
                    VoidNamespace.INSTANCE,
                    VoidNamespaceSerializer.INSTANCE,
                    new ListStateDescriptor<>("list", LongSerializer.INSTANCE));
        b.setCurrentKey(7L);
        list.update(elements(0, 10));
        long before = b.db().deletes();
        for (int round = 1; round <= 50; round++) {
          list.update(elements(round * 100, 10));
        }
        // Before: each update deleted the 10 old elements (500 tombstones under one prefix).
        assertThat(b.db().deletes() - before).isZero();
        assertThat(list.get()).containsExactlyElementsOf(elements(5000, 10));

        list.add(-1L);
        list.update(elements(7000, 13)); // grows
        assertThat(list.get()).containsExactlyElementsOf(elements(7000, 13));
        long beforeShrink = b.db().deletes();
        list.update(elements(8000, 4)); // shrinks: still one put
        assertThat(b.db().deletes() - beforeShrink).isZero();
        assertThat(list.get()).containsExactlyElementsOf(elements(8000, 4));
        list.update(List.of());
        assertThat(list.get()).isNull();
        list.add(3L);
        assertThat(list.get()).containsExactly(3L);
      } finally {
        b.dispose();
      }
    }
  }

  private static List<Long> elements(long first, int n) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(first + i);
    }
    return out;
  }
}
