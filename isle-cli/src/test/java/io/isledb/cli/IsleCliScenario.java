package io.isledb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every subcommand of {@code isle} end to end on one storage scheme, its output checked against
 * what the test wrote: keys k1..k5 (values v1..v5) in one table, then a binary key and the deletion
 * of k2 in a second, and a version pin.
 */
abstract class IsleCliScenario {
  /** A store on a fresh prefix. */
  abstract ObjectStore newStore();

  /** The location options of {@link #store} ({@code --uri}, {@code --prefix}, {@code --hadoop}). */
  abstract List<String> location(ObjectStore store);

  /** The options the scenario's database is written with (its manifest store). */
  DBOptions dbOptions() {
    return DBOptions.defaults();
  }

  static final byte[] BIN = {0, 1, 2, (byte) 0xff};

  ObjectStore store;
  long head;
  List<String> tables; // table ids, oldest first

  record Run(int code, String out, String err) {}

  Run isle(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = IsleCli.run(args, out, err);
    return new Run(code, out.toString(), err.toString());
  }

  /** {@code isle <sub> <location> <args>}. */
  Run isle(String sub, List<String> args) {
    List<String> all = new ArrayList<>(List.of(sub));
    all.addAll(location(store));
    all.addAll(args);
    return isle(all.toArray(String[]::new));
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @BeforeEach
  void write() {
    store = newStore();
    try (IsleDB db = IsleDB.open(store, dbOptions());
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO));
        Reader r = db.openReader(ReaderOptions.defaults().withDiskCacheBytes(0))) {
      for (int i = 1; i <= 5; i++) {
        w.put(b("k" + i), b("v" + i));
      }
      w.flush();
      List<String> first = objects(r);
      w.put(BIN, b("binary"));
      w.delete(b("k2"));
      w.flush();
      head = db.currentVersion();
      db.pin("keep", head);
      List<String> all = objects(r);
      all.removeAll(first);
      tables = Stream.concat(first.stream(), all.stream()).map(IsleCliScenario::idOf).toList();
    }
  }

  private static List<String> objects(Reader r) {
    r.refresh();
    try (ReadView v = r.snapshot()) {
      return new ArrayList<>(v.tableObjects());
    }
  }

  private static String idOf(String object) {
    return object.substring(object.lastIndexOf('/') + 1, object.length() - ".sst".length());
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void lsShowsTheVersionTablesPinAndSizes() {
    Run r = isle("ls", List.of());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("head version " + head)
        .contains("L0: 2 tables, newest first")
        .contains(tables.get(0) + " ") // oldest: k1..k5
        .contains("5 entries (0 deletions), keys [k1 .. k5]")
        .contains(tables.get(1) + " ")
        .contains("2 entries (1 deletions), keys [\\x00\\x01\\x02\\xff .. k2]")
        .contains("pins: 1")
        .contains("keep version " + head + " version-pin")
        .containsPattern("sstable +2 objects");
    assertThat(r.out().indexOf(tables.get(1))).isLessThan(r.out().indexOf(tables.get(0)));
  }

  @Test
  void manifestPrintsTheVersionAsJson() throws Exception {
    Run r = isle("manifest", List.of());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode v = new ObjectMapper().readTree(r.out());
    assertThat(v.get("version").asLong()).isEqualTo(head);
    assertThat(v.get("l0")).hasSize(2);
    assertThat(v.get("l0").get(1).get("id").asText()).isEqualTo(tables.get(0));
    assertThat(v.get("l0").get(1).get("smallest").asText()).isEqualTo("k1");
    assertThat(v.get("l0").get(0).get("smallest").asText()).isEqualTo("\\x00\\x01\\x02\\xff");
    JsonNode first = new ObjectMapper().readTree(isle("manifest", List.of("1")).out());
    assertThat(first.get("l0")).isEmpty(); // version 1: the writer's fence
    assertThat(isle("manifest", List.of(String.valueOf(head + 1))).code())
        .isEqualTo(IsleCli.NOT_FOUND);
  }

  @Test
  void sstDumpPrintsPropertiesIndexAndEntries() {
    Run r = isle("sst-dump", List.of(tables.get(1), "--entries"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("entryCount: 2")
        .contains("tombstoneCount: 1")
        .contains("index: 1 data blocks")
        .contains("  \\x00\\x01\\x02\\xff @6 PUT binary\n")
        .contains("  k2 @7 DELETE\n");
    Run hex = isle("sst-dump", List.of(tables.get(0), "--entries", "--format", "hex"));
    assertThat(hex.out()).contains("  6b31 @1 PUT 7631\n").contains("  6b35 @5 PUT 7635\n");
    assertThat(isle("sst-dump", List.of("0".repeat(32))).code()).isEqualTo(IsleCli.NOT_FOUND);
  }

  @Test
  void getAndScanPrintKeysAndValues() {
    assertThat(isle("get", List.of("k3")).out()).isEqualTo("v3\n");
    assertThat(isle("get", List.of("--format", "hex", "00010203")).code())
        .isEqualTo(IsleCli.NOT_FOUND);
    assertThat(isle("get", List.of("--format", "hex", "000102ff")).out())
        .isEqualTo("62696e617279\n");
    assertThat(isle("get", List.of("k2")).code()).isEqualTo(IsleCli.NOT_FOUND);
    assertThat(isle("get", List.of("--at", "2", "k2")).out()).isEqualTo("v2\n");
    assertThat(isle("scan", List.of()).out())
        .isEqualTo("\\x00\\x01\\x02\\xff\tbinary\nk1\tv1\nk3\tv3\nk4\tv4\nk5\tv5\n");
    assertThat(isle("scan", List.of("--from", "k3", "--to", "k5", "--keys-only")).out())
        .isEqualTo("k3\nk4\n");
  }

  @Test
  void tailPrintsEveryChangeAndStops() {
    Run r = isle("tail", List.of());
    assertThat(r.code()).as(r.err()).isZero();
    List<String> changes = r.out().lines().map(l -> l.substring(l.indexOf('\t') + 1)).toList();
    assertThat(changes)
        .containsExactly(
            "PUT\tk1\tv1",
            "PUT\tk2\tv2",
            "PUT\tk3\tv3",
            "PUT\tk4\tv4",
            "PUT\tk5\tv5",
            "PUT\t\\x00\\x01\\x02\\xff\tbinary",
            "DELETE\tk2");
    String third = r.out().lines().toList().get(2);
    Run rest = isle("tail", List.of("--from", third.substring(0, third.indexOf('\t'))));
    assertThat(rest.out().lines()).hasSize(4);
    Run bounded = isle("tail", List.of("--follow", "--max-changes", "2"));
    assertThat(bounded.out().lines()).hasSize(2);
  }

  @Test
  void verifyFindsOneCorruptedByteInATable() {
    Run clean = isle("verify", List.of());
    assertThat(clean.code()).as(clean.out() + clean.err()).isEqualTo(IsleCli.OK);
    assertThat(clean.out()).contains("no problems");

    String sst = "sstable/" + tables.get(0).substring(0, 3) + "/" + tables.get(0) + ".sst";
    byte[] data = store.get(sst).orElseThrow();
    data[7] ^= 0x10; // a byte of the first data block
    store.put(sst, data);
    Run bad = isle("verify", List.of());
    assertThat(bad.code()).isEqualTo(IsleCli.CORRUPT);
    assertThat(bad.out()).contains("CORRUPT " + sst + ": ").contains("1 corrupt or missing");
    assertThat(bad.out().lines().filter(l -> l.startsWith("CORRUPT"))).hasSize(1);
  }

  @Test
  void gcDryRunNamesAnUnreferencedTableAndDeletesNothing() {
    String orphan = "sstable/eee/" + "e".repeat(32) + ".sst";
    store.put(orphan, new byte[] {1, 2, 3});
    Run r = isle("gc", List.of("--dry-run"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("head version " + head)
        .contains("DELETE " + orphan + " (3 bytes, later): table in no version")
        .doesNotContain(tables.get(0))
        .doesNotContain(tables.get(1));
    assertThat(store.get(orphan)).isPresent();
    assertThat(isle("gc", List.of()).code()).isEqualTo(IsleCli.USAGE);
  }
}
