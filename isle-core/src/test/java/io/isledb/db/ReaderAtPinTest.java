package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.PinInfo;
import io.isledb.PinOptions;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RequestStats;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link IsleDB#openReaderAtPin}: a reader starting at the version a pin holds, from the pin alone
 * (no manifest load: a restore by fork reads each source's checkpointed version once), and {@link
 * IsleDB#pinInfos(String)}: only the pins of one name prefix are read.
 */
class ReaderAtPinTest {
  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
  private final DBOptions dbo =
      DBOptions.defaults()
          .withClock(clock)
          .withIdSource(Ids.seededSource(5))
          .withSnapshotEvery(8)
          .withGcGracePeriod(Duration.ofMinutes(10));
  private final IsleDB db = IsleDB.open(store, dbo);

  @AfterEach
  void close() {
    db.close();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Twelve versions (a snapshot and a log tail); pins version 6 as "cp-6"; returns the head. */
  private long write(Writer w) {
    long pinned = -1;
    for (int i = 1; i <= 12; i++) {
      w.put(b("k"), b("v" + i));
      w.flush();
      if (i == 6) {
        pinned = w.pinHead("cp-6", PinOptions.defaults());
      }
    }
    return pinned;
  }

  @Test
  void aReaderAtAPinReadsItsVersionFromThePinAlone() {
    long pinned;
    try (Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      pinned = write(w);
    }
    long headCost;
    try (Reader r = db.openReader(ReaderOptions.defaults());
        ReadView v = r.openVersion(pinned)) {
      RequestStats before = store.stats();
      try (Reader again = db.openReader(ReaderOptions.defaults());
          ReadView same = again.openVersion(pinned)) {
        headCost = store.stats().minus(before).total();
        assertThat(same.version()).isEqualTo(v.version());
      }
    }
    RequestStats before = store.stats();
    try (Reader r = db.openReaderAtPin("cp-6", ReaderOptions.defaults());
        ReadView v = r.snapshot()) {
      RequestStats open = store.stats().minus(before);
      assertThat(open.total())
          .as("a reader at a pin: the pin's GET only (openReader + openVersion: %s)", headCost)
          .isEqualTo(1);
      assertThat(open.count(RequestStats.RequestKind.GET)).isEqualTo(1);
      assertThat(v.version()).isEqualTo(pinned);
      assertThat(v.get(b("k"))).map(String::new).contains("v6");
      // Its refresh moves it on to the head.
      assertThat(r.refresh()).isGreaterThan(pinned);
      assertThat(r.get(b("k"))).map(String::new).contains("v12");
    }
    assertThat(headCost).isGreaterThan(4);
  }

  @Test
  void aMissingOrHistoryPinIsRefused() {
    try (Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      write(w);
      db.pinHistory("h", 3);
    }
    assertThatThrownBy(() -> db.openReaderAtPin("nope", ReaderOptions.defaults()))
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> db.openReaderAtPin("h", ReaderOptions.defaults()))
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
        .hasMessageContaining("history pin");
  }

  @Test
  void pinInfosOfANamePrefixReadOnlyThosePins() {
    try (Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      write(w);
      w.pinHead("cp-7", PinOptions.defaults());
      w.pinHead("fork-1", PinOptions.defaults().withOwner("isledb-fork:x"));
    }
    RequestStats before = store.stats();
    assertThat(db.pinInfos("fork-"))
        .extracting(PinInfo::name, p -> p.owner())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("fork-1", Optional.of("isledb-fork:x")));
    RequestStats cost = store.stats().minus(before);
    assertThat(cost.count(RequestStats.RequestKind.LIST_PAGE)).isEqualTo(1);
    assertThat(cost.gets()).as("one GET, of the fork pin only").isEqualTo(1);
    assertThat(db.pinInfos("")).hasSize(3);
  }
}
