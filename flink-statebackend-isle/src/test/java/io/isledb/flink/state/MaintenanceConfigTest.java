package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;

/**
 * The compaction, GC and pin-ttl options: defaults, overrides, and bad values naming the option.
 */
class MaintenanceConfigTest {
  private static Maintenance configure(Configuration c) {
    return Maintenance.configure(c, Maintenance.DEFAULTS);
  }

  @Test
  void defaultsAndOverrides() {
    Maintenance d = configure(new Configuration());
    assertThat(d.compaction).isTrue();
    assertThat(d.gcInterval).isEqualTo(Duration.ofMinutes(1));
    assertThat(d.dbOptions().gcGracePeriod()).isEqualTo(Duration.ofMinutes(10));
    assertThat(d.dbOptions().logRetention()).isZero();
    assertThat(d.pinOptions("o").ttl()).isEqualTo(Duration.ofDays(7));
    assertThat(d.pinOptions("o").owner()).isEqualTo("o");
    assertThat(d.l0StopWrites).isEqualTo(36);

    Configuration c = new Configuration();
    c.set(IsleStateBackendOptions.COMPACTION_ENABLED, false);
    c.set(IsleStateBackendOptions.CHECKPOINT_PIN_TTL, Duration.ZERO);
    c.set(IsleStateBackendOptions.GC_GRACE_PERIOD, Duration.ofSeconds(30));
    c.set(IsleStateBackendOptions.COMPACTION_L0_STOP_WRITES, 0);
    Maintenance m = configure(c);
    assertThat(m.l0StopWrites).as("0: writes never wait").isZero();
    assertThat(m.compaction).isFalse();
    assertThat(m.pinOptions("o").ttl()).as("0: pins never expire").isNull();
    assertThat(m.dbOptions().gcGracePeriod()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void badValuesNameTheOption() {
    Configuration zeroGrace = new Configuration();
    zeroGrace.set(IsleStateBackendOptions.GC_GRACE_PERIOD, Duration.ZERO);
    assertThatThrownBy(() -> configure(zeroGrace))
        .isInstanceOf(IllegalConfigurationException.class)
        .hasMessageContaining("state.backend.isle.gc.grace-period");
    Configuration negative = new Configuration();
    negative.set(IsleStateBackendOptions.GC_INTERVAL, Duration.ofSeconds(-1));
    assertThatThrownBy(() -> configure(negative))
        .isInstanceOf(IllegalConfigurationException.class)
        .hasMessageContaining("state.backend.isle.gc.interval");
    Configuration stop = new Configuration();
    stop.set(IsleStateBackendOptions.COMPACTION_L0_STOP_WRITES, -3);
    assertThatThrownBy(() -> configure(stop))
        .isInstanceOf(IllegalConfigurationException.class)
        .hasMessageContaining("state.backend.isle.compaction.l0-stop-writes")
        .hasMessageContaining("-3");
    Configuration ttl = new Configuration();
    ttl.set(IsleStateBackendOptions.CHECKPOINT_PIN_TTL, Duration.ofMinutes(-5));
    assertThatThrownBy(() -> new IsleStateBackend().configure(ttl, getClass().getClassLoader()))
        .isInstanceOf(IllegalConfigurationException.class)
        .hasMessageContaining("state.backend.isle.checkpoint.pin-ttl");
  }
}
