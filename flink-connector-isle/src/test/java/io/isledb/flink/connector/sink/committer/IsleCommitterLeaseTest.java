package io.isledb.flink.connector.sink.committer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.flink.connector.internal.SharedTables;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint restored after its uploads' lease ran out (the job was down longer than {@code
 * sink.lease-ttl}) fails with an error that names {@code sink.lease-ttl}, INVALID_ARGUMENT and
 * without restarts, not CORRUPTION. The sink writes with the real clock (the connector cannot reach
 * the engine's); GC runs in a second database on the same store whose injected clock is hours
 * ahead, which is what a long outage looks like to the lease.
 */
class IsleCommitterLeaseTest {
  @TempDir Path tmp;

  @Test
  void anExpiredLeaseNamesTheOptionToRaise() throws Exception {
    TableLocation location = TableLocation.of(tmp.resolve("t").toUri().toString(), Map.of());
    List<SstHandle> handles;
    try (SharedTables.Lease table = SharedTables.acquire(location)) {
      try (SstWriter sst =
          table.db().newSstWriter(SstWriterOptions.defaults().withLeaseTtl(Duration.ofHours(1)))) {
        sst.put("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
        handles = sst.finish();
      }
    }
    MutableClock later =
        new MutableClock(System.currentTimeMillis() + Duration.ofHours(2).toMillis());
    try (ObjectStore store =
            IsleDB.openStore(location.storeUri(), location.prefix(), location.hadoopConf());
        IsleDB gcDb = IsleDB.open(store, DBOptions.defaults().withClock(later));
        GarbageCollector gc = gcDb.openGarbageCollector(GcOptions.defaults())) {
      for (int pass = 0; pass < 6; pass++) { // past any grace period
        gc.runOnce();
        later.advance(Duration.ofHours(1));
      }
    }
    IsleCommitter committer = new IsleCommitter(location, Map.of(), Set.of(), null);
    try {
      Throwable t =
          catchThrowable(
              () ->
                  committer.commit(
                      List.of(
                          new IsleCommitterTest.Request(new IsleCommittable("u", 7, handles)))));
      assertThat(t).isInstanceOf(SuppressRestartsException.class);
      assertThat(t.getCause()).isInstanceOf(IsleException.class);
      IsleException e = (IsleException) t.getCause();
      assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT);
      assertThat(e.getMessage())
          .contains("'sink.lease-ttl'")
          .contains("checkpoint 7")
          .contains(location.uri());
    } finally {
      committer.close();
    }
  }
}
