package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CorruptionException;
import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import io.isledb.ManifestStoreConfig;
import io.isledb.PinOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import io.isledb.testing.PostgresServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pins with a hold object ({@link PinOptions#withHoldObject}): the hold is written on the object
 * store before the pin, GC removes the pin once the hold is gone, and only then; a hold that was
 * deleted before its pin's name was pinned again never releases the new pin; unpin removes the
 * hold. On the object-store manifest and on the JDBC manifest store (tables on the object store).
 */
class PinHoldTest {
  @RegisterExtension static final PostgresServerExtension PG = PostgresServerExtension.shared();

  private static final Duration GRACE = Duration.ofMinutes(10);

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore store = new InMemoryObjectStore(clock);

  private DBOptions options(boolean jdbc) {
    return DBOptions.defaults()
        .withClock(clock)
        .withGcGracePeriod(GRACE)
        .withLogRetention(Duration.ZERO)
        .withManifestStore(
            jdbc ? PG.config(PG.newDatabase("pinhold")) : ManifestStoreConfig.objectStore());
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "jdbc={0}")
  @ValueSource(booleans = {false, true})
  void deletingTheHoldReleasesThePinAtTheNextGcPass(boolean jdbc) {
    PinOptions held = PinOptions.defaults().withHoldObject(true);
    try (IsleDB db = IsleDB.open(store, options(jdbc));
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
      w.put(b("k"), b("1"));
      w.flush();
      w.pinHead("cp-1", held);
      w.pinHead("cp-2", held);
      w.pinHead("plain", PinOptions.defaults());
      assertThat(store.stat(PinOptions.holdObjectName("cp-1"))).isPresent();
      assertThat(store.stat(PinOptions.holdObjectName("plain"))).isEmpty();

      gc.runOnce();
      assertThat(db.pins()).containsOnlyKeys("cp-1", "cp-2", "plain");

      // Released by whoever can delete objects (Flink's JobManager); and cp-2's hold goes too,
      // but cp-2 is pinned again (a new hold) before GC looks: the new pin stays.
      store.delete(PinOptions.holdObjectName("cp-1"));
      store.delete(PinOptions.holdObjectName("cp-2"));
      w.pinHead("cp-2", held);
      gc.runOnce();
      assertThat(db.pins()).containsOnlyKeys("cp-2", "plain");

      db.unpin("cp-2");
      assertThat(store.stat(PinOptions.holdObjectName("cp-2")))
          .as("unpin removes the hold")
          .isEmpty();
      gc.runOnce();
      assertThat(db.pins()).containsOnlyKeys("plain");
    }
  }

  @Test
  void aHoldOutsidePinHoldsIsCorruption() {
    ManifestCodec.Pin p =
        new ManifestCodec.Pin("x", 3, 1, null, null, ManifestCodec.Pin.NEVER, "sstable/abc");
    byte[] bytes = ManifestCodec.encodePin(p);
    assertThatThrownBy(() -> ManifestCodec.decodePin(ManifestPaths.pin("x"), bytes))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("holdObject outside pin-holds/");
    ManifestCodec.Pin ok =
        new ManifestCodec.Pin("x", 3, 1, null, "job", 99, ManifestPaths.pinHold("x"));
    assertThat(ManifestCodec.decodePin(ManifestPaths.pin("x"), ManifestCodec.encodePin(ok)))
        .isEqualTo(ok);
  }
}
