package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.PinInfo;
import io.isledb.RequestStats;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A restore with another key-group assignment is a fork of the old databases: it costs a few small
 * requests per source database, whatever the state's size, and the first checkpoint after it
 * uploads only what changed (a copy would upload the whole owned state again).
 */
class RescaleByForkTest {
  /** Bytes a checkpoint after a restore may write, whatever the state's size. */
  static final long SMALL = 64 << 10;

  /**
   * Bytes a restore may read per source database, whatever the state's size: its settings and pin,
   * and its metadata record: one table open (a ranged GET of at most the table's last 64 KiB) and
   * one block.
   */
  static final long PER_SOURCE = 128 << 10;

  static final ValueStateDescriptor<String> VALUE =
      new ValueStateDescriptor<>("value", StringSerializer.INSTANCE);

  @TempDir Path dir;

  /** Compaction and GC off: nothing but the restore issues requests while it is measured. */
  static Configuration quiet() {
    Configuration c = new Configuration();
    c.set(IsleStateBackendOptions.COMPACTION_ENABLED, false);
    c.set(IsleStateBackendOptions.GC_INTERVAL, Duration.ZERO);
    return c;
  }

  static String valueOf(int key) {
    // Random characters (seeded by the key): the tables cannot compress them away.
    java.util.Random random = new java.util.Random(key);
    StringBuilder b = new StringBuilder(200);
    while (b.length() < 200) {
      b.append((char) ('a' + random.nextInt(26)));
    }
    return b.toString();
  }

  static int keyGroup(int key) {
    return KeyGroupRangeAssignment.assignToKeyGroup(key, BackendTestKit.KEY_GROUPS);
  }

  static void put(IsleKeyedStateBackend<Integer> b, int key, String value) throws Exception {
    b.setCurrentKey(key);
    state(b).update(value);
  }

  static String get(IsleKeyedStateBackend<Integer> b, int key) throws Exception {
    b.setCurrentKey(key);
    return state(b).value();
  }

  /** The pins of the database of {@code c}. */
  static List<PinInfo> pins(IsleCheckpoint c) {
    try (ObjectStore store = IsleDB.openStore(c.getStoreUri(), c.getPrefix(), c.hadoopConf());
        IsleDB db =
            IsleDB.open(
                store,
                DBOptions.defaults()
                    .withGcGracePeriod(IsleStateBackendOptions.GC_GRACE_PERIOD.defaultValue()))) {
      return db.pinInfos();
    }
  }

  private static ValueState<String> state(IsleKeyedStateBackend<Integer> b) throws Exception {
    return b.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, VALUE);
  }

  /**
   * Two old subtasks (key groups 0-63 and 64-127) write {@code keys} keys over ten checkpoints (ten
   * tables each); a new subtask owning 32-95 restores from both.
   */
  @ParameterizedTest(name = "{0} keys")
  @ValueSource(ints = {4_000, 12_000})
  void restoreCostsSmallRequestsPerSourceWhateverTheStateSize(int keys) throws Exception {
    try (BackendTestKit kit = new BackendTestKit(dir, quiet())) {
      KeyGroupRange left = KeyGroupRange.of(0, 63);
      KeyGroupRange right = KeyGroupRange.of(64, 127);
      IsleKeyedStateBackend<Integer> l = kit.create(IntSerializer.INSTANCE, left, List.of());
      IsleKeyedStateBackend<Integer> r = kit.create(IntSerializer.INSTANCE, right, List.of());
      List<KeyedStateHandle> handles = new ArrayList<>();
      int rounds = 10;
      for (int round = 0; round < rounds; round++) {
        for (int k = round; k < keys; k += rounds) {
          put(left.contains(keyGroup(k)) ? l : r, k, valueOf(k));
        }
        handles =
            List.of(BackendTestKit.snapshot(l, round + 1), BackendTestKit.snapshot(r, round + 1));
      }
      long stateBytes = l.db().bytesWritten() + r.db().bytesWritten();
      RequestStats lStats = l.db().stats();
      RequestStats rStats = r.db().stats();
      l.dispose();
      r.dispose();
      assertThat(stateBytes).isGreaterThan(3 * 2 * PER_SOURCE);

      KeyGroupRange mid = KeyGroupRange.of(32, 95);
      IsleKeyedStateBackend<Integer> m =
          kit.create(
              IntSerializer.INSTANCE,
              mid,
              List.of(handles.get(0).getIntersection(mid), handles.get(1).getIntersection(mid)));
      RequestStats restore = m.db().stats();
      // Per source: its metadata record (one table's index and block), its pin copied, its
      // manifest loaded; on the new database: settings, fence, fork edit, writer.
      assertThat(restore.bytesRead())
          .as("bytes read by the restore: %s (old subtasks: %s, %s)", restore, lStats, rStats)
          .isLessThan(2 * PER_SOURCE);
      assertThat(restore.total()).as("requests of the restore: %s", restore).isLessThan(120);
      for (KeyedStateHandle h : handles) {
        assertThat(pins(IsleCheckpoint.of(h).orElseThrow()))
            .extracting(p -> p.owner().orElse(""))
            .as("the new database's pin on an old one")
            .contains("isledb-fork:" + m.db().prefix());
      }
      assertThat(m.db().prefix())
          .isNotEqualTo(IsleCheckpoint.of(handles.get(0)).orElseThrow().getPrefix());

      Map<Integer, String> seen = new TreeMap<>();
      Map<Integer, String> expected = new TreeMap<>();
      for (int k = 0; k < keys; k++) {
        if (mid.contains(keyGroup(k))) {
          expected.put(k, valueOf(k));
          seen.put(k, get(m, k));
        }
      }
      assertThat(seen).isEqualTo(expected);
      // Every key the database holds, none outside the owned key groups.
      try (var all = m.getKeys(VALUE.getName(), VoidNamespace.INSTANCE)) {
        assertThat(all.sorted().toList()).containsExactlyElementsOf(expected.keySet());
      }

      // The first checkpoint after the restore uploads the metadata record and one change, not
      // the owned state: the fork's tables are the old databases' own.
      RequestStats before = m.db().stats();
      put(m, expected.keySet().iterator().next(), "changed");
      BackendTestKit.snapshot(m, 100);
      long uploaded = m.db().stats().bytesWritten() - before.bytesWritten();
      assertThat(uploaded).as("bytes the first checkpoint uploaded").isLessThan(SMALL);
      m.dispose();
    }
  }

  /**
   * Old subtasks that registered their states in other orders gave them other ids: the second
   * source cannot be forked beside the first (ids are part of the keys) and is copied with its ids
   * rewritten; every value reads back under the right state.
   */
  @org.junit.jupiter.api.Test
  void aSourceWhoseStateIdsDisagreeIsCopied() throws Exception {
    ValueStateDescriptor<String> other =
        new ValueStateDescriptor<>("other", StringSerializer.INSTANCE);
    try (BackendTestKit kit = new BackendTestKit(dir, quiet())) {
      KeyGroupRange left = KeyGroupRange.of(0, 63);
      KeyGroupRange right = KeyGroupRange.of(64, 127);
      IsleKeyedStateBackend<Integer> l = kit.create(IntSerializer.INSTANCE, left, List.of());
      IsleKeyedStateBackend<Integer> r = kit.create(IntSerializer.INSTANCE, right, List.of());
      for (int k = 0; k < 200; k++) {
        IsleKeyedStateBackend<Integer> b = left.contains(keyGroup(k)) ? l : r;
        b.setCurrentKey(k);
        // l registers value (id 1) before other (id 2), r the other way round.
        List<ValueStateDescriptor<String>> order =
            b == l ? List.of(VALUE, other) : List.of(other, VALUE);
        for (ValueStateDescriptor<String> d : order) {
          b.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, d)
              .update(d.getName() + k);
        }
      }
      List<KeyedStateHandle> handles =
          List.of(BackendTestKit.snapshot(l, 1), BackendTestKit.snapshot(r, 1));
      l.dispose();
      r.dispose();
      KeyGroupRange all = KeyGroupRange.of(0, 127);
      IsleKeyedStateBackend<Integer> m = kit.create(IntSerializer.INSTANCE, all, handles);
      String owner = "isledb-fork:" + m.db().prefix();
      assertThat(pins(IsleCheckpoint.of(handles.get(0)).orElseThrow()))
          .extracting(p -> p.owner().orElse(""))
          .contains(owner);
      assertThat(pins(IsleCheckpoint.of(handles.get(1)).orElseThrow()))
          .extracting(p -> p.owner().orElse(""))
          .doesNotContain(owner);
      for (int k = 0; k < 200; k++) {
        m.setCurrentKey(k);
        for (ValueStateDescriptor<String> d : List.of(VALUE, other)) {
          assertThat(
                  m.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, d)
                      .value())
              .isEqualTo(d.getName() + k);
        }
      }
      m.dispose();
    }
  }
}
