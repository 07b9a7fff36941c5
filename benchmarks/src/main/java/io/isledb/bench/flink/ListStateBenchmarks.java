package io.isledb.bench.flink;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * ListState with lists of {@value #ELEMENTS} elements: add one element, get (and read) one key's
 * list, update (replace) one key's list.
 */
public class ListStateBenchmarks extends StateBenchBase {
  static final int ELEMENTS = 10;

  private ListState<Long> state;
  private final List<Long> replacement = new ArrayList<>();
  private long value;

  /** Opens the backend and writes a list of {@value #ELEMENTS} elements per key. */
  @Setup
  public void setUp() throws Exception {
    state = open(new ListStateDescriptor<>("list", LongSerializer.INSTANCE));
    int keys = Math.max(1, settings.entries(keySpace) / ELEMENTS);
    keys(keys);
    List<Long> init = new ArrayList<>();
    for (long i = 0; i < ELEMENTS; i++) {
      init.add(i);
      replacement.add(-i);
    }
    for (long k = 0; k < keys; k++) {
      kb.setCurrentKey(k);
      state.update(init);
    }
  }

  /** {@code list.add}: appends one element to an existing list. */
  @Benchmark
  public void add() throws Exception {
    selectNext();
    state.add(++value);
  }

  /** {@code list.get}: reads every element of one key's list. */
  @Benchmark
  public void get(Blackhole bh) throws Exception {
    selectNext();
    for (Long v : state.get()) {
      bh.consume(v);
    }
  }

  /** {@code list.update}: replaces one key's list. */
  @Benchmark
  public void update() throws Exception {
    selectNext();
    state.update(replacement);
  }
}
