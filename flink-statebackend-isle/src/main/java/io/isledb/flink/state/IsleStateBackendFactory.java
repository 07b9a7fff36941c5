package io.isledb.flink.state;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.runtime.state.StateBackendFactory;

/**
 * Creates the {@link IsleStateBackend} from the configuration: {@code state.backend.type:
 * io.isledb.flink.state.IsleStateBackendFactory}. Flink calls it often; it only reads options.
 */
public class IsleStateBackendFactory implements StateBackendFactory<IsleStateBackend> {
  @Override
  public IsleStateBackend createFromConfig(ReadableConfig config, ClassLoader classLoader) {
    return new IsleStateBackend().configure(config, classLoader);
  }
}
