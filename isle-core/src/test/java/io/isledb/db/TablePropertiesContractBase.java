package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CommitMark;
import io.isledb.CommitResult;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.SstHandle;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.CommitState;
import io.isledb.manifest.Manifest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 8 (and item 7 on real storage): table properties set atomically with a commit, by
 * an external commit of a commit user and by the writer, readable from every read view, kept across
 * snapshots, compaction and reopening; size limits refused with INVALID_ARGUMENT. Run on each store
 * kind by a subclass.
 */
abstract class TablePropertiesContractBase {
  private ObjectStore store;
  private final DBOptions dbo =
      DBOptions.defaults().withSnapshotEvery(3).withIdSource(Ids.seededSource(8));
  private final WriterOptions wo = WriterOptions.defaults().withFlushInterval(Duration.ZERO);

  /** The store of one test (a fresh, empty database). */
  protected abstract ObjectStore openStore();

  @BeforeEach
  void open() {
    store = openStore();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<SstHandle> external(IsleDB db, String key, String value) {
    return ExternalTables.of(db, key, value);
  }

  private static String get(ReadView v, String key) {
    return v.get(b(key)).map(x -> new String(x, StandardCharsets.UTF_8)).orElse(null);
  }

  @Test
  void propertiesCommitWithTheDataAndSurviveSnapshotsCompactionAndReopen() {
    Map<String, String> schema = Map.of("schema.0", "{\"id\":\"BIGINT\"}", "key.encoding", "1");
    long v1;
    long v2;
    try (IsleDB db = IsleDB.open(store, dbo);
        Reader r = db.openReader(ReaderOptions.defaults())) {
      assertThat(r.properties()).isEmpty();
      CommitResult c1 = db.commit(external(db, "k1", "a"), "sink", 1, schema);
      v1 = c1.version();
      ReadView before = r.snapshot(); // the version before the commit: no properties
      r.refresh();
      assertThat(before.properties()).isEmpty();
      // The data and the properties arrive in the same version.
      assertThat(r.version()).isEqualTo(v1);
      assertThat(get(r, "k1")).isEqualTo("a");
      assertThat(r.properties()).isEqualTo(schema);
      assertThat(r.lastCommitted("sink")).contains(new CommitMark("sink", 1, v1));
      before.close();

      // The writer replaces one key and adds another, after its own writes.
      try (Writer w = db.openWriter(wo)) {
        w.put(b("k2"), b("b"));
        v2 = w.commitProperties(Map.of("key.encoding", "2", "pk", "id"));
        w.put(b("k3"), b("after"));
      }
      try (ReadView at = r.openVersion(v2)) {
        assertThat(get(at, "k2")).isEqualTo("b");
        assertThat(get(at, "k3")).isNull();
        assertThat(at.properties())
            .containsExactlyEntriesOf(
                new java.util.TreeMap<>(
                    Map.of("key.encoding", "2", "pk", "id", "schema.0", "{\"id\":\"BIGINT\"}")));
      }
      // A replayed commit sets nothing, even with other properties.
      assertThat(db.commit(List.of(), "sink", 1, Map.of("pk", "other")))
          .isEqualTo(new CommitResult(v1, true));
      for (int i = 0; i < 6; i++) { // past several snapshots
        db.commit(external(db, "k" + (10 + i), "x"), "sink", 2 + i);
      }
      try (Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(2))) {
        while (c.runOnce().isPresent()) {
          // merge everything
        }
      }
    }
    Manifest manifest = new Manifest(store);
    assertThat(manifest.loadLatest().l0()).isEmpty();
    try (IsleDB db = IsleDB.open(store, dbo);
        Reader r = db.openReader(ReaderOptions.defaults())) {
      assertThat(r.properties())
          .containsEntry("pk", "id")
          .containsEntry("key.encoding", "2")
          .containsEntry("schema.0", "{\"id\":\"BIGINT\"}")
          .hasSize(3);
      assertThat(db.lastCommitted("sink").orElseThrow().identifier()).isEqualTo(7);
      assertThat(get(r, "k1")).isEqualTo("a");
      // A replay after the reopen (a failover) appends nothing.
      long head = db.currentVersion();
      CommitResult again = db.commit(external(db, "k1", "replayed"), "sink", 7);
      assertThat(again.duplicate()).isTrue();
      assertThat(db.currentVersion()).isEqualTo(head);
      r.refresh();
      assertThat(get(r, "k1")).isEqualTo("a");
    }
    // A cold load from the newest snapshot (format 2) has them too.
    assertThat(manifest.loadLatestListed().commits().properties()).hasSize(3);
  }

  @Test
  void oversizedPropertiesAndCommitUsersAreRefusedBeforeAnythingHappens() {
    try (IsleDB db = IsleDB.open(store, dbo)) {
      String bigKey = "k".repeat(CommitState.MAX_PROPERTY_KEY_BYTES + 1);
      String bigValue = "v".repeat(CommitState.MAX_PROPERTY_VALUE_BYTES + 1);
      String bigUser = "u".repeat(CommitState.MAX_COMMIT_USER_BYTES + 1);
      assertInvalid(() -> db.commit(List.of(), "sink", 1, Map.of(bigKey, "v")), "property key");
      assertInvalid(() -> db.commit(List.of(), "sink", 1, Map.of("k", bigValue)), "'k'");
      assertInvalid(() -> db.commit(List.of(), bigUser, 1), "commit user");
      assertInvalid(() -> db.commit(List.of(), "", 1), "commit user");
      assertInvalid(() -> db.commit(List.of(), "sink", -1), "negative");
      assertThat(db.currentVersion()).as("nothing appended, no role claimed").isZero();
      // The total is checked against the properties already committed.
      String half = "v".repeat(CommitState.MAX_PROPERTY_VALUE_BYTES - 10);
      for (int i = 0; i < CommitState.MAX_PROPERTIES_BYTES / half.length() - 1; i++) {
        db.commit(List.of(), "sink", 1 + i, Map.of("p" + i, half));
      }
      long head = db.currentVersion();
      assertInvalid(
          () -> db.commit(List.of(), "sink", 100, Map.of("p-last", half, "p-more", half)),
          "over the limit of " + CommitState.MAX_PROPERTIES_BYTES);
      assertThat(db.currentVersion()).isEqualTo(head);
      try (Writer w = db.openWriter(wo)) {
        assertInvalid(() -> w.commitProperties(Map.of("", "x")), "empty");
        w.put(b("still"), b("usable"));
        w.flush();
      }
    }
  }

  private static void assertInvalid(Runnable call, String message) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
        .hasMessageContaining(message);
  }
}
