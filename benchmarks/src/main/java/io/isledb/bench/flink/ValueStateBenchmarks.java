package io.isledb.bench.flink;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/** ValueState get and update of existing keys, one key per operation. */
public class ValueStateBenchmarks extends StateBenchBase {
  private ValueState<Long> state;
  private long value;

  /** Opens the backend and writes one value per key. */
  @Setup
  public void setUp() throws Exception {
    state = open(new ValueStateDescriptor<>("value", LongSerializer.INSTANCE));
    int keys = settings.entries(keySpace);
    keys(keys);
    for (long k = 0; k < keys; k++) {
      kb.setCurrentKey(k);
      state.update(k);
    }
  }

  /** {@code value.get}. */
  @Benchmark
  public Long get() throws Exception {
    selectNext();
    return state.value();
  }

  /** {@code value.update}. */
  @Benchmark
  public void update() throws Exception {
    selectNext();
    state.update(++value);
  }
}
