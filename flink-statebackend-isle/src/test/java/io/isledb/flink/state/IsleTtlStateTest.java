package io.isledb.flink.state;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.ttl.StateBackendTestContext;
import org.apache.flink.runtime.state.ttl.TtlStateTestBase;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flink's own TTL state suite ({@code TtlStateTestBase}, from the flink-runtime test-jar) on the
 * isle backend with its databases on file://: every state kind under every update type and
 * visibility, expiry on read and write, timestamp overflow, merging namespaces, and TTL state
 * across a checkpoint and restore (the restore reopens the checkpoint's pinned version). The time
 * is the suite's mock {@link TtlTimeProvider}, which the backend also uses for its compaction
 * filter.
 *
 * <p>Skipped, as in Flink's own subclasses for its incremental backends: the incremental cleanup
 * cases (a heap-backend strategy: {@code incrementalCleanupSupported()} stays false, as in every
 * RocksDB and ForSt subclass), and the two full-snapshot cleanup cases ({@code
 * cleanupFullSnapshot}, {@code isSavepoint()} false as in {@code IncSnapshotRocksDbTtlStateTest}
 * and {@code ForStSyncTtlStateTest}): the suite's snapshots are checkpoints, and an isle checkpoint
 * is a pinned version of the database, incremental like RocksDB's incremental checkpoints, not a
 * full copy that could leave expired entries out. Expired entries still go, by compaction ({@code
 * TtlCompactionTest}). The other skips are the suite's own assumptions (value-only and merging-only
 * cases).
 */
class IsleTtlStateTest extends TtlStateTestBase {
  @TempDir Path stateDir;

  @Override
  protected StateBackendTestContext createStateBackendTestContext(TtlTimeProvider timeProvider) {
    return new StateBackendTestContext(timeProvider) {
      @Override
      protected StateBackend createStateBackend() {
        Configuration config = new Configuration();
        config.set(IsleStateBackendOptions.DIR, stateDir.toUri().toString());
        // As in IsleStateBackendTest: some templates do not dispose every backend they create,
        // and a periodic GC would keep writing into the temp dir JUnit deletes.
        config.set(IsleStateBackendOptions.GC_INTERVAL, Duration.ZERO);
        return new IsleStateBackend().configure(config, getClass().getClassLoader());
      }
    };
  }

  @Override
  public boolean isSavepoint() {
    return false; // checkpoints are incremental (pinned versions), see the class comment
  }
}
