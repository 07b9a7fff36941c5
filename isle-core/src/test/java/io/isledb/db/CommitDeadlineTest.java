package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;
import io.isledb.storage.FaultInjectingObjectStore;
import io.isledb.storage.FaultInjectingObjectStore.Operation;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer commits what it uploaded within half the grace period of starting the upload (GC may
 * delete an unreferenced object a grace period after first seeing it). The deadline has to hold for
 * every attempt of the commit, retries included: a create that is retried after a slow, failed
 * attempt can otherwise land after GC deleted the very tables it commits.
 */
class CommitDeadlineTest {
  private static final Duration GRACE = Duration.ofMinutes(10);

  @TempDir Path cache;

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore base = new InMemoryObjectStore(clock);
  private final DBOptions dbo =
      DBOptions.defaults()
          .withClock(clock)
          .withIdSource(Ids.seededSource(21))
          .withSnapshotEvery(1000)
          .withGcGracePeriod(GRACE)
          .withLogRetention(Duration.ZERO);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Each log create takes 6 minutes (the fake clock moves while it is "in flight", and GC runs
   * before and after) and the first one fails. The retry, sent 6 minutes after the upload started,
   * is past the 5-minute commit deadline: it must not be sent; the writer uploads again and commits
   * the new upload instead.
   */
  @Test
  void aCommitIsNotRetriedPastItsDeadline() {
    Queue<String> missing = new ConcurrentLinkedQueue<>();
    Map<String, Long> uploadStarted = new ConcurrentHashMap<>();
    Map<String, Long> lastSent = new ConcurrentHashMap<>();
    AtomicBoolean slow = new AtomicBoolean();
    HookedObjectStore.Hook missingData = HookedObjectStore.recordMissingData(missing);
    try (IsleDB maintenance = IsleDB.open(base, dbo);
        GarbageCollector gc = maintenance.openGarbageCollector(GcOptions.defaults())) {
      FaultInjectingObjectStore faulty =
          FaultInjectingObjectStore.builder(base)
              .seed(3)
              .latency(Operation.CREATE_IF_ABSENT, Duration.ofMinutes(6))
              .sleeper(
                  d -> {
                    if (slow.get()) {
                      gc.runOnce();
                      clock.advance(d);
                      gc.runOnce();
                    }
                  })
              .build();
      HookedObjectStore hooked =
          new HookedObjectStore(
              faulty,
              new HookedObjectStore.Hook() {
                @Override
                public void on(
                    HookedObjectStore.Op op, HookedObjectStore.Phase phase, String name) {
                  if (phase != HookedObjectStore.Phase.BEFORE) {
                    return;
                  }
                  if (op == HookedObjectStore.Op.UPLOAD_START) {
                    uploadStarted.putIfAbsent(name, clock.millis());
                  } else if (op == HookedObjectStore.Op.CREATE_IF_ABSENT
                      && name.startsWith(ManifestPaths.LOG_DIR)) {
                    lastSent.put(name, clock.millis());
                  }
                }

                @Override
                public void missing(HookedObjectStore.Op op, String name) {
                  missingData.missing(op, name);
                }
              });
      try (IsleDB db = IsleDB.open(hooked, dbo);
          Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
        w.put(b("k"), b("v"));
        slow.set(true);
        faulty.failNext(Operation.CREATE_IF_ABSENT, 1);
        w.flush();
        slow.set(false);
      }

      ManifestState s = new Manifest(base).loadLatest();
      List<SstMeta> l0 = s.l0();
      assertThat(l0).hasSize(1);
      long started = uploadStarted.get(l0.get(0).objectName());
      long sent = lastSent.get(ManifestPaths.log(s.seq()));
      assertThat(sent - started)
          .as("the commit of a table was sent within half the grace period of its upload")
          .isLessThanOrEqualTo(GRACE.toMillis() / 2);

      gc.runOnce();
      try (Reader r =
          IsleDB.openReader(
              new HookedObjectStore(base, missingData),
              ReaderOptions.defaults().withCacheDir(cache),
              dbo)) {
        assertThat(r.get(b("k")).orElseThrow()).isEqualTo(b("v"));
      }
      assertThat(missing).as("reads of deleted tables").isEmpty();
      assertThat(base.stat(l0.get(0).objectName())).isPresent();
    }
  }
}
