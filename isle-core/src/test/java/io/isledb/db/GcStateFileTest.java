package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.CorruptionException;
import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.GcResult;
import io.isledb.IsleDB;
import io.isledb.manifest.ChecksummedJson;
import io.isledb.manifest.GcState;
import io.isledb.manifest.GcStateCodec;
import io.isledb.manifest.Lease;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.Role;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What GC writes about itself (FORMAT.md, "GC state") after a pass: its marks and its lease
 * observations, tagged with its author and epoch, every time a reading of its own clock. GC never
 * reads these objects back: files of another format (older or newer) are overwritten, not refused.
 */
class GcStateFileTest {
  private static final String ORPHAN = ManifestPaths.sst(String.format("%032x", 0xdead));
  private static final String LEASE = Lease.objectName("compactor-1");
  private static final String LEASED = ManifestPaths.sst(String.format("%032x", 0xbeef));

  private static byte[] newerFormat(String type) {
    var n = ChecksummedJson.object();
    n.put("format", 2);
    n.put("type", type);
    n.put("somethingNew", true);
    return ChecksummedJson.encode(n);
  }

  @Test
  void aPassWritesItsMarksAndLeasesOverStateOfANewerFormat() {
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    InMemoryObjectStore store = new InMemoryObjectStore(clock);
    DBOptions dbo =
        DBOptions.defaults()
            .withClock(clock)
            .withIdSource(Ids.seededSource(9))
            .withGcGracePeriod(Duration.ofMinutes(10));
    store.put(ManifestPaths.GC_PENDING, newerFormat("gc-pending"));
    store.put(ManifestPaths.GC_CHECKPOINT, newerFormat("gc-checkpoint"));
    store.put(ORPHAN, new byte[] {1, 2, 3});
    store.put(LEASED, new byte[] {4});
    store.put(LEASE, new Lease("compactor-1", 5, 0, List.of(LEASED)).encode());
    try (IsleDB db = IsleDB.open(store, dbo);
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      clock.advance(Duration.ofSeconds(1));
      long now = clock.millis();
      GcResult r = gc.runOnce();
      assertThat(r.unreadable()).isEmpty();
      long epoch = new Manifest(store).loadLatest().epoch(Role.GC);

      GcState.Pending pending =
          GcStateCodec.decodePending(
              ManifestPaths.GC_PENDING, store.get(ManifestPaths.GC_PENDING).orElseThrow());
      assertThat(pending.author()).startsWith("gc-");
      assertThat(pending.epoch()).isEqualTo(epoch);
      assertThat(pending.marks()).containsExactly(Map.entry(ORPHAN, now));

      GcState.Checkpoint checkpoint =
          GcStateCodec.decodeCheckpoint(
              ManifestPaths.GC_CHECKPOINT, store.get(ManifestPaths.GC_CHECKPOINT).orElseThrow());
      assertThat(checkpoint.author()).isEqualTo(pending.author());
      assertThat(checkpoint.epoch()).isEqualTo(epoch);
      assertThat(checkpoint.timeMillis()).isEqualTo(now);
      assertThat(checkpoint.version()).isEqualTo(r.version());
      assertThat(checkpoint.base()).isEqualTo(r.version()); // GC wrote the head's snapshot
      assertThat(checkpoint.leases()).containsExactly(new GcState.LeaseSeen(LEASE, 5, now, 0));
    }
  }

  @Test
  void decodingIsStrict() {
    byte[] good =
        GcStateCodec.encode(
            new GcState.Checkpoint(
                "gc-1", 2, 3, 4, 5, List.of(new GcState.LeaseSeen(LEASE, 6, 7, 8))));
    var n = (ObjectNode) ChecksummedJson.decode("c", good);
    n.remove("base");
    assertThatCorruption(ChecksummedJson.encode(n), "'base'");
    n = (ObjectNode) ChecksummedJson.decode("c", good);
    n.put("epoch", "2");
    assertThatCorruption(ChecksummedJson.encode(n), "'epoch'");
    n = (ObjectNode) ChecksummedJson.decode("c", good);
    ((ObjectNode) n.get("leases").get(0)).remove("since");
    assertThatCorruption(ChecksummedJson.encode(n), "'since'");
    // The earlier form, without author and epoch, is not read as author "" of epoch 0.
    n = (ObjectNode) ChecksummedJson.decode("c", good);
    n.remove("author");
    assertThatCorruption(ChecksummedJson.encode(n), "'author'");
    byte[] pending = GcStateCodec.encode(new GcState.Pending("gc-1", 2, new TreeMap<>()));
    assertThat(
            catchThrowable(
                () -> GcStateCodec.decodeCheckpoint("manifest/gc/checkpoint.json", pending)))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("'gc-pending', expected 'gc-checkpoint'");
  }

  private static void assertThatCorruption(byte[] checkpoint, String field) {
    assertThat(
            catchThrowable(
                () -> GcStateCodec.decodeCheckpoint("manifest/gc/checkpoint.json", checkpoint)))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("manifest/gc/checkpoint.json")
        .hasMessageContaining(field);
  }
}
