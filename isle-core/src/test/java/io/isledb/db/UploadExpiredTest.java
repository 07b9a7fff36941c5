package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.UploadExpiredException;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Committing an upload whose lease ran out (GC collected its table) is an {@link
 * UploadExpiredException} (INVALID_ARGUMENT, not retryable) naming the table and the lease, never
 * CORRUPTION, and commits nothing; within its lease the same commit succeeds.
 */
class UploadExpiredTest {
  private static final Duration GRACE = Duration.ofMinutes(10);

  private final MutableClock clock = new MutableClock(1_000_000_000L);
  private final IsleDB db =
      IsleDB.open(
          new InMemoryObjectStore(),
          DBOptions.defaults().withClock(clock).withGcGracePeriod(GRACE));

  private List<SstHandle> upload(String key, Duration leaseTtl) {
    try (SstWriter sw = db.newSstWriter(SstWriterOptions.defaults().withLeaseTtl(leaseTtl))) {
      sw.put(key.getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
      return sw.finish();
    }
  }

  private void gcFor(Duration d) {
    try (GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      for (Duration t = Duration.ZERO; t.compareTo(d) < 0; t = t.plus(GRACE)) {
        gc.runOnce();
        clock.advance(GRACE);
      }
      gc.runOnce();
      gc.runOnce();
    }
  }

  @Test
  void anExpiredUploadIsNamedAsSuchNotAsCorruption() {
    List<SstHandle> kept = upload("kept", Duration.ofHours(3));
    List<SstHandle> expired = upload("expired", Duration.ofHours(1));
    gcFor(Duration.ofHours(2));
    long version = db.currentVersion();
    assertThatThrownBy(() -> db.commit(expired, "u", 1))
        .isInstanceOf(UploadExpiredException.class)
        .satisfies(
            e -> {
              IsleException ie = (IsleException) e;
              assertThat(ie.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT);
              assertThat(ie.isRetryable()).isFalse();
            })
        .hasMessageContaining("cannot commit table " + expired.get(0).tableId())
        .hasMessageContaining("lease");
    assertThat(db.commit(kept, "u", 2).duplicate()).isFalse();
    assertThat(db.currentVersion()).isGreaterThan(version);
    try (io.isledb.Reader r = db.openReader(io.isledb.ReaderOptions.defaults())) {
      assertThat(r.get("kept".getBytes(StandardCharsets.UTF_8))).isPresent();
      assertThat(r.get("expired".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }
    db.close();
  }
}
