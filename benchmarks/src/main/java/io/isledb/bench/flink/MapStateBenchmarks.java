package io.isledb.bench.flink;

import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.base.DoubleSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * MapState of {@value #ENTRIES} entries per key: get, put and contains of one user key, and an
 * iteration over one key's map. {@code contains} asks for user keys 0..19 in turn, half of which
 * exist (as flink-benchmarks' {@code mapContains} does).
 */
public class MapStateBenchmarks extends StateBenchBase {
  static final int ENTRIES = 10;

  private MapState<Long, Double> state;
  private long userKey;

  /** Opens the backend and writes {@value #ENTRIES} entries per key. */
  @Setup
  public void setUp() throws Exception {
    state =
        open(new MapStateDescriptor<>("map", LongSerializer.INSTANCE, DoubleSerializer.INSTANCE));
    int keys = Math.max(1, settings.entries(keySpace) / ENTRIES);
    keys(keys);
    for (long k = 0; k < keys; k++) {
      kb.setCurrentKey(k);
      for (long u = 0; u < ENTRIES; u++) {
        state.put(u, (double) k);
      }
    }
  }

  private long nextUserKey(int bound) {
    userKey = userKey + 1 == bound ? 0 : userKey + 1;
    return userKey;
  }

  /** {@code map.get}: an existing user key. */
  @Benchmark
  public Double get() throws Exception {
    selectNext();
    return state.get(nextUserKey(ENTRIES));
  }

  /** {@code map.put}: overwrites an existing user key. */
  @Benchmark
  public void put() throws Exception {
    long k = selectNext();
    state.put(nextUserKey(ENTRIES), (double) k);
  }

  /** {@code map.contains}: half the user keys asked for exist. */
  @Benchmark
  public boolean contains() throws Exception {
    selectNext();
    return state.contains(nextUserKey(2 * ENTRIES));
  }

  /** {@code map.iterate}: every entry of one key's map. */
  @Benchmark
  public void iterate(Blackhole bh) throws Exception {
    selectNext();
    for (Map.Entry<Long, Double> e : state.entries()) {
      bh.consume(e.getKey());
      bh.consume(e.getValue());
    }
  }
}
