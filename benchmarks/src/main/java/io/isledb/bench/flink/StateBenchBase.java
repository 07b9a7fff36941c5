package io.isledb.bench.flink;

import java.util.Random;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.runtime.state.CheckpointableKeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What every flink-state benchmark shares: one keyed backend per trial (JMH fork), chosen by the
 * {@code backend} parameter, holding {@code keySpace} state entries written before the measurement;
 * each operation touches one key, taken in a seeded random order. Modelled on
 * apache/flink-benchmarks' {@code StateBenchmarkBase}.
 */
@State(Scope.Thread)
public abstract class StateBenchBase {
  /** Seed of the key order (the same for every backend). */
  static final long SEED = 20261201L;

  /** Backend name, see {@link StateBackends#ALL}. */
  @Param({"isle-file", "isle-s3a", "rocksdb", "forst", "hashmap"})
  public String backend;

  /** "small": inside the caches; "large": raw state about 10x the slot's memory. */
  @Param({"small", "large"})
  public String keySpace;

  StateSettings settings;
  StateBackends.Opened opened;
  CheckpointableKeyedStateBackend<Long> kb;
  private long[] order;
  private int next;

  /** Opens the backend; subclasses then register their state and write the key space. */
  void open() throws Exception {
    settings = StateSettings.fromSystemProperties();
    opened = StateBackends.open(backend, settings, settings.work());
    kb = opened.backend();
  }

  /** Opens the backend, registers the benchmark's state and returns it. */
  <S extends org.apache.flink.api.common.state.State> S open(StateDescriptor<S, ?> descriptor)
      throws Exception {
    open();
    return kb.getPartitionedState(
        VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
  }

  /** Keys 0..keys-1 in a seeded random order, cycled by {@link #nextKey()}. */
  void keys(int keys) {
    order = new long[keys];
    for (int i = 0; i < keys; i++) {
      order[i] = i;
    }
    Random r = new Random(SEED);
    for (int i = keys - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      long t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    next = 0;
  }

  /** The next existing key of the key space. */
  long nextKey() {
    long k = order[next];
    next = next + 1 == order.length ? 0 : next + 1;
    return k;
  }

  /** The next key, made current. */
  long selectNext() {
    long k = nextKey();
    kb.setCurrentKey(k);
    return k;
  }

  /** Disposes the backend and its environment. */
  @TearDown
  public void close() throws Exception {
    if (opened != null) {
      opened.close();
      opened = null;
    }
  }
}
