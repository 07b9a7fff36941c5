package io.isledb.flink.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ManifestStoreConfig;
import io.isledb.ObjectStore;
import io.isledb.PinOptions;
import io.isledb.flink.state.snapshot.IsleCheckpoint;
import io.isledb.testing.PostgresServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JobManager's discard of a subsumed checkpoint releases its pin on either manifest store:
 * checkpoints 1 to 3 complete, 1 and 2 are discarded the way Flink discards them ({@code
 * discardState()} of their handles: a file delete through Flink's FileSystem, no manifest access),
 * then GC converges: only checkpoint 3's pin is left (in PostgreSQL, with the jdbc store) and the
 * tables only checkpoints 1 and 2 referenced are deleted.
 */
class CheckpointPinReleaseTest {
  @RegisterExtension static final PostgresServerExtension PG = PostgresServerExtension.shared();

  private static final Duration GRACE = Duration.ofMinutes(10);
  private static final ValueStateDescriptor<Integer> VALUE =
      new ValueStateDescriptor<>("value", IntSerializer.INSTANCE);

  @TempDir Path dir;

  @Test
  void discardedCheckpointsReleaseTheirPinsWithTheJdbcManifest() throws Exception {
    String url = PG.newDatabase("pinrelease");
    Configuration config = new Configuration();
    config.set(IsleStateBackendOptions.MANIFEST_STORE, "jdbc");
    config.set(IsleStateBackendOptions.MANIFEST_JDBC_URL, url);
    config.set(IsleStateBackendOptions.MANIFEST_JDBC_USER, PG.user());
    config.set(IsleStateBackendOptions.MANIFEST_JDBC_PASSWORD, PG.password());
    IsleCheckpoint last = run(config, PG.config(url));
    try (Connection c = PG.server().connect(url);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT name FROM isledb_manifest_doc WHERE name LIKE 'manifest/pins/%'")) {
      List<String> pins = new ArrayList<>();
      while (r.next()) {
        pins.add(r.getString(1));
      }
      assertThat(pins)
          .as("pins left in PostgreSQL")
          .containsExactly("manifest/pins/" + last.getPinName() + ".json");
    }
    try (var files = Files.walk(dir)) {
      assertThat(files.map(Path::toString).toList())
          .as("no manifest on the object store")
          .noneMatch(p -> p.contains("/manifest/"));
    }
  }

  @Test
  void discardedCheckpointsReleaseTheirPinsWithTheObjectStoreManifest() throws Exception {
    run(new Configuration(), ManifestStoreConfig.objectStore());
  }

  /** Checkpoints 1..3, 1 and 2 discarded, GC converged; returns checkpoint 3. */
  private IsleCheckpoint run(Configuration extra, ManifestStoreConfig manifest) throws Exception {
    Configuration config = new Configuration(extra);
    config.set(IsleStateBackendOptions.GC_INTERVAL, Duration.ZERO);
    config.set(IsleStateBackendOptions.COMPACTION_ENABLED, false);
    config.set(IsleStateBackendOptions.GC_GRACE_PERIOD, GRACE);
    List<KeyedStateHandle> handles = new ArrayList<>();
    List<IsleCheckpoint> checkpoints = new ArrayList<>();
    try (BackendTestKit kit = new BackendTestKit(dir, config)) {
      IsleKeyedStateBackend<Integer> b = kit.create(IntSerializer.INSTANCE);
      ValueState<Integer> state =
          b.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, VALUE);
      for (long checkpoint = 1; checkpoint <= 3; checkpoint++) {
        for (int k = 0; k < 10; k++) {
          b.setCurrentKey(k);
          state.update((int) checkpoint);
        }
        KeyedStateHandle h = BackendTestKit.snapshot(b, checkpoint);
        b.notifyCheckpointComplete(checkpoint);
        handles.add(h);
        checkpoints.add(IsleCheckpoint.of(h).orElseThrow());
        if (checkpoint == 2) {
          compact(checkpoints.get(1), manifest); // checkpoint 3 shares no table with 1 and 2
        }
      }
      b.dispose();
    }
    IsleCheckpoint last = checkpoints.get(2);
    Set<String> onlyOld = new TreeSet<>(GcPasses.tablesOf(checkpoints.get(0), GRACE, manifest));
    onlyOld.addAll(GcPasses.tablesOf(checkpoints.get(1), GRACE, manifest));
    onlyOld.removeAll(GcPasses.tablesOf(last, GRACE, manifest));
    assertThat(onlyOld).as("tables only checkpoints 1 and 2 reference").isNotEmpty();

    // The JobManager subsumes and discards checkpoints 1 and 2.
    handles.get(0).discardState();
    handles.get(1).discardState();

    GcPasses.Converged done = GcPasses.converge(last, GRACE, manifest);
    assertThat(done.pinNames()).containsExactly(last.getPinName());
    assertThat(done.tables()).as("every table left is live").isEqualTo(done.liveTables());
    assertThat(done.tables()).doesNotContainAnyElementsOf(onlyOld);
    assertThat(done.objects())
        .as("no hold object of a released pin is left")
        .noneMatch(
            o ->
                o.equals(PinOptions.holdObjectName(checkpoints.get(0).getPinName()))
                    || o.equals(PinOptions.holdObjectName(checkpoints.get(1).getPinName())));
    return last;
  }

  /** One compaction of the database of {@code c}: its L0 tables become one run. */
  private static void compact(IsleCheckpoint c, ManifestStoreConfig manifest) {
    try (ObjectStore store = IsleDB.openStore(c.getStoreUri(), c.getPrefix(), c.hadoopConf());
        IsleDB db =
            IsleDB.open(
                store,
                DBOptions.defaults()
                    .withGcGracePeriod(GRACE)
                    .withLogRetention(Duration.ZERO)
                    .withManifestStore(manifest));
        Compactor compactor = db.openCompactor(CompactorOptions.defaults().withL0Trigger(2))) {
      assertThat(compactor.runOnce()).as("a compaction of the two checkpoints' tables").isPresent();
    }
  }
}
