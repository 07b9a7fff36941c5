package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;

/**
 * {@code maintenance.start-delay}: its default, an override, a negative value refused naming the
 * option; and the backend's databases snapshot their manifest every {@link
 * Maintenance#SNAPSHOT_EVERY} edits, which bounds the log a restore replays.
 */
class MaintenanceStartDelayOptionTest {
  @Test
  void defaultOverrideAndBadValue() {
    Maintenance d = Maintenance.configure(new Configuration(), Maintenance.DEFAULTS);
    assertThat(d.maintenanceStartDelay).isEqualTo(Duration.ofSeconds(30));
    assertThat(d.dbOptions().snapshotEvery()).isEqualTo(Maintenance.SNAPSHOT_EVERY);

    Configuration c = new Configuration();
    c.set(IsleStateBackendOptions.MAINTENANCE_START_DELAY, Duration.ZERO);
    assertThat(Maintenance.configure(c, Maintenance.DEFAULTS).maintenanceStartDelay).isZero();

    Configuration bad = new Configuration();
    bad.set(IsleStateBackendOptions.MAINTENANCE_START_DELAY, Duration.ofSeconds(-1));
    assertThatThrownBy(() -> Maintenance.configure(bad, Maintenance.DEFAULTS))
        .isInstanceOf(IllegalConfigurationException.class)
        .hasMessageContaining("state.backend.isle.maintenance.start-delay");
  }
}
