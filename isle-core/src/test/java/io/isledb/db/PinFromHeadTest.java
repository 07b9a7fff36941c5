package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.PinInfo;
import io.isledb.PinOptions;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RequestStats;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.db.gc.PinExpiry;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.storage.FaultInjectingObjectStore;
import io.isledb.storage.FaultInjectingObjectStore.Operation;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Writer#pinHead}: one PUT from the writer's own head, accepted by the head rule measured
 * from the writer's create; and pin expiry: GC honours a pin until its own clock is a grace period
 * past the expiry (here GC's clock runs 9 minutes ahead of the pinner's, with a 10-minute grace),
 * then drops the pin and, a grace period later, the version's tables.
 */
class PinFromHeadTest {
  private static final Duration GRACE = Duration.ofMinutes(10);

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
  private final DBOptions dbo =
      DBOptions.defaults()
          .withClock(clock)
          .withIdSource(Ids.seededSource(11))
          .withSnapshotEvery(4)
          .withGcGracePeriod(GRACE)
          .withLogRetention(Duration.ZERO);
  private final IsleDB db = IsleDB.open(store, dbo);
  private final WriterOptions wo =
      WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlobThreshold(1024);

  @AfterEach
  void close() {
    db.close();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> scanAll(ReadView r) {
    List<String> out = new ArrayList<>();
    try (KvIterator it = r.scan(null, null)) {
      while (it.hasNext()) {
        KV kv = it.next();
        out.add(
            new String(kv.key(), StandardCharsets.UTF_8)
                + "="
                + new String(kv.value(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static List<String> round(int r) {
    List<String> out = new ArrayList<>();
    for (int k = 0; k < 10; k++) {
      out.add("k" + k + "=r" + r);
    }
    return out;
  }

  @Test
  void pinningTheWritersHeadIsOnePut() {
    try (Writer w = db.openWriter(wo)) {
      RequestStats before = store.stats();
      long fenced = w.pinHead("at-open", PinOptions.defaults());
      RequestStats cost = store.stats().minus(before);
      assertThat(fenced).isEqualTo(w.lastCommittedVersion());
      assertThat(cost.total()).as("right after open: the fence is the head").isOne();
      assertThat(cost.count(RequestStats.RequestKind.PUT)).isOne();

      for (int k = 0; k < 10; k++) {
        w.put(b("k" + k), b("r0"));
      }
      w.flush();
      clock.advance(GRACE.dividedBy(2)); // well within the grace period of the commit
      before = store.stats();
      long v =
          w.pinHead(
              "job-1-cp-1", PinOptions.defaults().withOwner("job-1").withTtl(Duration.ofHours(1)));
      cost = store.stats().minus(before);
      assertThat(v).isEqualTo(w.lastCommittedVersion()).isGreaterThan(fenced);
      assertThat(cost.total()).as("no manifest load, no GET of an earlier pin").isOne();
      assertThat(cost.count(RequestStats.RequestKind.PUT)).isOne();

      assertThat(db.pinInfos())
          .containsExactly(
              new PinInfo(
                  "at-open",
                  fenced,
                  false,
                  clock.millis() - GRACE.toMillis() / 2,
                  Optional.empty(),
                  OptionalLong.empty()),
              new PinInfo(
                  "job-1-cp-1",
                  v,
                  false,
                  clock.millis(),
                  Optional.of("job-1"),
                  OptionalLong.of(clock.millis() + Duration.ofHours(1).toMillis())));
      ManifestCodec.Pin pin =
          Pins.read(store).stream()
              .filter(p -> p.name().equals("job-1-cp-1"))
              .findFirst()
              .orElseThrow();
      assertThat(pin.state().seq()).isEqualTo(v);
      assertThat(pin.state().allTables()).isEqualTo(new Manifest(store).loadVersion(v).allTables());
    }
  }

  @Test
  void aHeadCommittedLongerThanTheGracePeriodAgoIsPinnedThroughTheGeneralPath() {
    try (Writer w = db.openWriter(wo)) {
      w.put(b("a"), b("1"));
      w.flush();
      clock.advance(GRACE.plusMinutes(1));
      RequestStats before = store.stats();
      long v = w.pinHead("late", PinOptions.defaults());
      RequestStats cost = store.stats().minus(before);
      assertThat(v).isEqualTo(w.lastCommittedVersion());
      assertThat(cost.gets()).as("the general path reads the manifest").isPositive();
      assertThat(db.pins()).containsEntry("late", v);
    }
  }

  @Test
  void aPinWhosePutOutlastedTheGracePeriodIsRefusedAndRemoved() {
    FaultInjectingObjectStore slow =
        FaultInjectingObjectStore.builder(store)
            .latency(Operation.PUT, GRACE.plusMinutes(1))
            .sleeper(clock::advance)
            .build();
    try (IsleDB sdb = IsleDB.open(slow, dbo);
        Writer w = sdb.openWriter(wo)) {
      w.put(b("a"), b("1"));
      w.flush();
      assertThatThrownBy(() -> w.pinHead("slow", PinOptions.defaults()))
          .isInstanceOf(IsleException.class)
          .satisfies(
              e ->
                  assertThat(((IsleException) e).kind())
                      .isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
          .hasMessageContaining("more than the grace period");
      assertThat(store.get(ManifestPaths.pin("slow"))).isEmpty();
    }
  }

  @Test
  void badNamesAndOptionsAreRefusedBeforeAnyRequest() {
    try (Writer w = db.openWriter(wo)) {
      RequestStats before = store.stats();
      assertThatThrownBy(() -> w.pinHead("a/b", PinOptions.defaults()))
          .isInstanceOf(IsleException.class)
          .hasMessageContaining("pin name 'a/b'");
      assertThatThrownBy(() -> PinOptions.defaults().withTtl(Duration.ZERO))
          .hasMessageContaining("PinOptions.ttl must be positive");
      assertThatThrownBy(() -> PinOptions.defaults().withOwner(""))
          .hasMessageContaining("PinOptions.owner");
      assertThat(store.stats().minus(before).total()).isZero();
    }
  }

  /** One round: overwrite k0..k9, flush, compact, one GC pass, then 11 minutes pass. */
  private void churn(Writer w, Compactor c, GarbageCollector gc, int round) {
    for (int k = 0; k < 10; k++) {
      w.put(b("k" + k), b("r" + round));
    }
    w.flush();
    while (c.runOnce().isPresent()) {
      // compact everything due
    }
    gc.runOnce();
    clock.advance(Duration.ofMinutes(11));
  }

  private Set<String> objects(String prefix) {
    Set<String> out = new HashSet<>();
    store.list(prefix).forEachRemaining(o -> out.add(o.name()));
    return out;
  }

  @Test
  void gcHonoursAPinUntilAGracePeriodPastItsExpiryThenDropsItAndItsTables() {
    // GC's clock runs 9 minutes ahead of the pinner's: less than the grace period, so the pin must
    // outlive its expiry in true time.
    Clock gcClock = Clock.offset(clock, Duration.ofMinutes(9));
    try (IsleDB gcDb = IsleDB.open(store, dbo.withClock(gcClock));
        Writer w = db.openWriter(wo);
        Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(2));
        GarbageCollector gc = gcDb.openGarbageCollector(GcOptions.defaults())) {
      churn(w, c, gc, 0);
      long expiresAt = clock.millis() + Duration.ofHours(2).toMillis();
      long pinned =
          w.pinHead(
              "job-1-cp-1", PinOptions.defaults().withOwner("job-1").withTtl(Duration.ofHours(2)));
      assertThat(db.pinInfos().get(0).expiresAtMillis()).hasValue(expiresAt);
      for (int r = 1; r <= 10; r++) { // 10 passes over 110 minutes, well past the grace period
        churn(w, c, gc, r);
      }
      clock.set(expiresAt - 1_000); // GC's clock: 9 minutes past the expiry, within its grace
      gc.runOnce();
      gc.runOnce();
      try (Reader r = db.openReader(ReaderOptions.defaults());
          ReadView old = r.openVersion(pinned)) {
        assertThat(scanAll(old)).containsExactlyElementsOf(round(0));
      }
      assertThat(db.pins()).containsKey("job-1-cp-1");

      clock.set(expiresAt + Duration.ofMinutes(2).toMillis()); // GC: 11 minutes past the expiry
      gc.runOnce();
      assertThat(db.pins()).as("the expired pin is deleted").isEmpty();
      for (int i = 0; i < 3; i++) {
        clock.advance(Duration.ofMinutes(11));
        gc.runOnce();
      }
      Set<String> head = new HashSet<>();
      new Manifest(store).loadLatest().allTables().forEach(t -> head.add(t.objectName()));
      assertThat(objects(ManifestPaths.SST_DIR))
          .as("only the head's tables are left")
          .isEqualTo(head);
      try (Reader r = db.openReader(ReaderOptions.defaults())) {
        assertThatThrownBy(() -> scanAll(r.openVersion(pinned))).isInstanceOf(IsleException.class);
        assertThat(scanAll(r)).containsExactlyElementsOf(round(10));
      }
    }
  }

  @Test
  void aPinRenewedBeforeGcDeletesItIsKept() {
    try (Writer w = db.openWriter(wo);
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      w.put(b("a"), b("1"));
      w.flush();
      long v = w.pinHead("cp", PinOptions.defaults().withTtl(Duration.ofMinutes(1)));
      ManifestCodec.Pin expired = Pins.read(store).get(0);
      clock.advance(GRACE.plusMinutes(2));
      // Renewed (the general path: the head is older than the grace period) after GC read it.
      db.pin("cp", v, PinOptions.defaults().withTtl(Duration.ofHours(1)));
      List<ManifestCodec.Pin> honoured =
          PinExpiry.honoured(
              new io.isledb.manifest.ObjectStoreManifestStore(store),
              List.of(expired),
              clock.millis(),
              GRACE.toMillis());
      assertThat(honoured).hasSize(1);
      assertThat(honoured.get(0).expiresAtMillis()).isEqualTo(clock.millis() + 3_600_000);
      gc.runOnce();
      assertThat(db.pins()).containsEntry("cp", v);
    }
  }
}
