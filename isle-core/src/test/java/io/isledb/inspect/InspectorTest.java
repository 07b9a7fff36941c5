package io.isledb.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.PinOptions;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.db.Ids;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The isle tool's inspection API against a small database in memory. */
class InspectorTest {
  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
  private final DBOptions options =
      DBOptions.defaults()
          .withClock(clock)
          .withIdSource(Ids.seededSource(5))
          .withGcGracePeriod(Duration.ofMinutes(10))
          .withLogRetention(Duration.ZERO);
  private long head;
  private List<String> tables;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @BeforeEach
  void write() {
    try (IsleDB db = IsleDB.open(store, options);
        Writer w =
            db.openWriter(
                WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlobThreshold(1024));
        Reader r = db.openReader(ReaderOptions.defaults())) {
      w.put(b("a"), b("1"));
      w.put(b("b"), b("2"));
      w.flush();
      w.put(b("big"), new byte[2000]);
      w.delete(b("a"));
      w.flush();
      head = db.currentVersion();
      db.pin("keep", head);
      r.refresh();
      try (var snapshot = r.snapshot()) {
        tables = snapshot.tableObjects();
      }
    }
  }

  @Test
  void listsVersionsTablesPinsAndSizes() {
    Inspector in = Inspector.open(store);
    assertThat(in.head()).isEqualTo(head);
    VersionInfo v = in.version(-1);
    assertThat(v.version()).isEqualTo(head);
    assertThat(v.l0()).hasSize(2);
    assertThat(v.l0().get(0).entries()).isEqualTo(2); // newest first: big and the deletion of a
    assertThat(v.l0().get(0).tombstones()).isEqualTo(1);
    assertThat(v.allTables().stream().map(TableInfo::object).sorted().toList()).isEqualTo(tables);
    assertThat(in.pins()).singleElement().satisfies(p -> assertThat(p.version()).isEqualTo(head));
    Overview o = in.overview();
    assertThat(o.head()).isEqualTo(head);
    assertThat(o.gcGracePeriodMillis()).hasValue(600_000);
    assertThat(o.sizes())
        .anySatisfy(
            s -> {
              assertThat(s.kind()).isEqualTo("sstable");
              assertThat(s.objects()).isEqualTo(2);
            })
        .anySatisfy(s -> assertThat(s.kind()).isEqualTo("blobs"));
    assertThat(in.versionJson(-1)).contains("\"version\" : " + head).contains("\"l0\"");
    assertThat(in.versionJson(1)).contains("\"version\" : 1");
  }

  @Test
  void dumpsATableWithItsPropertiesIndexAndEntries() {
    Inspector in = Inspector.open(store);
    TableInfo first = in.version(-1).l0().get(1); // the oldest: a=1, b=2
    SstDump d = in.sstDump(first.id());
    assertThat(d.size()).isEqualTo(first.size());
    assertThat(d.properties())
        .containsEntry("entryCount", "2")
        .containsEntry("tombstoneCount", "0");
    assertThat(d.index()).hasSize(Integer.parseInt(d.properties().get("dataBlockCount")));
    List<String> entries = new ArrayList<>();
    in.sstEntries(
        first.object(),
        e -> entries.add(new String(e.key()) + "=" + new String(e.value()) + " " + e.kind()));
    assertThat(entries).containsExactly("a=1 PUT", "b=2 PUT");
    assertThatThrownBy(() -> in.sstDump("0".repeat(32)))
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("no table");
  }

  @Test
  void verifyFindsOneCorruptedByteInATableAndABlob() {
    Inspector in = Inspector.open(store);
    VerifyReport clean = in.verify(n -> {});
    assertThat(clean.problems()).isEmpty();
    assertThat(clean.objects()).isGreaterThan(5);

    String sst = tables.get(0);
    flipByte(sst, 10);
    String blob = first("blobs/");
    flipByte(blob, 0);
    VerifyReport bad = in.verify(n -> {});
    assertThat(bad.problems())
        .extracting(VerifyReport.Problem::object)
        .containsExactlyInAnyOrder(sst, blob);
    assertThat(bad.problems())
        .anySatisfy(p -> assertThat(p.message()).contains("SHA-256 mismatch"));
  }

  @Test
  void gcDryRunNamesAnUnreferencedTableAndWhenItIsDue() {
    Inspector in = Inspector.open(store);
    String orphan = "sstable/fff/" + "f".repeat(32) + ".sst";
    store.put(orphan, store.get(tables.get(0)).orElseThrow());
    GcPreview now = in.gcDryRun(options);
    assertThat(now.head()).isEqualTo(head);
    assertThat(now.candidates())
        .filteredOn(c -> c.object().startsWith("sstable/"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.object()).isEqualTo(orphan);
              assertThat(c.reason()).contains("table in no version");
              assertThat(c.due()).isFalse();
            });
    clock.advance(Duration.ofMinutes(11));
    assertThat(in.gcDryRun(options).candidates())
        .filteredOn(c -> c.object().equals(orphan))
        .singleElement()
        .satisfies(c -> assertThat(c.due()).isTrue());
    assertThat(store.get(orphan)).isPresent(); // a preview deletes nothing
  }

  @Test
  void gcDryRunCountsAPinWhoseHoldIsGoneAsReleasedAndWhatOnlyItKeptAsGarbage() {
    try (IsleDB db = IsleDB.open(store, options);
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(2))) {
      db.unpin("keep");
      w.pinHead("held", PinOptions.defaults().withHoldObject(true));
      // Compacted after the pin: from now on only the pin keeps the two tables written above.
      assertThat(c.runOnce()).isPresent();
    }
    Inspector in = Inspector.open(store);
    clock.advance(Duration.ofMinutes(11));
    assertThat(objects(in.gcDryRun(options))).doesNotContain("manifest/pins/held.json");
    assertThat(objects(in.gcDryRun(options))).doesNotContainAnyElementsOf(tables);

    store.delete(PinOptions.holdObjectName("held"));
    GcPreview released = in.gcDryRun(options);
    assertThat(released.candidates())
        .filteredOn(x -> x.object().equals("manifest/pins/held.json"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.reason()).contains("released: its hold pin-holds/held is gone");
              assertThat(x.due()).isTrue();
            });
    assertThat(objects(released)).containsAll(tables);
    assertThat(store.get("manifest/pins/held.json")).isPresent(); // a preview deletes nothing
  }

  private static List<String> objects(GcPreview p) {
    return p.candidates().stream().map(GcPreview.Candidate::object).toList();
  }

  @Test
  void aPrefixWithoutADatabaseIsRefused() {
    assertThatThrownBy(() -> Inspector.open(new InMemoryObjectStore(clock)))
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("no IsleDB database at")
        .satisfies(
            e ->
                assertThat(((IsleException) e).kind())
                    .isEqualTo(IsleException.Kind.INVALID_ARGUMENT));
  }

  private String first(String dir) {
    Iterator<ObjectInfo> it = store.list(dir);
    return it.next().name();
  }

  private void flipByte(String name, int at) {
    byte[] data = store.get(name).orElseThrow();
    data[at] ^= 0x01;
    store.put(name, data);
  }
}
