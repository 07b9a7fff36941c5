package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CommitResult;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.SstHandleCodec;
import io.isledb.manifest.SstMeta;
import io.isledb.storage.InMemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 item 13: a retried external commit must never re-add old data above newer writes, and a
 * handle (deserialized from outside) must not make the commit delete anything but a lease.
 */
class ExternalCommitRetryTest {
  private final InMemoryObjectStore store = new InMemoryObjectStore();
  private final IsleDB db =
      IsleDB.open(store, DBOptions.defaults().withIdSource(Ids.seededSource(13)));
  private final WriterOptions wo = WriterOptions.defaults().withFlushInterval(Duration.ZERO);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private String get(String key) {
    try (Reader r = db.openReader(ReaderOptions.defaults())) {
      return r.get(b(key)).map(v -> new String(v, StandardCharsets.UTF_8)).orElse(null);
    }
  }

  private List<SstHandle> external(String key, String value) {
    try (SstWriter sw = db.newSstWriter(SstWriterOptions.defaults())) {
      sw.put(b(key), b(value));
      return sw.finish();
    }
  }

  /** Newer data through the writer, then a compaction that takes the external table out of L0. */
  private void newerWriteThenCompact(String key, String value) {
    try (Writer w = db.openWriter(wo)) {
      w.put(b(key), b(value));
      w.flush();
    }
    try (Compactor c = db.openCompactor(CompactorOptions.defaults().withL0Trigger(2))) {
      assertThat(c.runOnce()).isPresent();
    }
  }

  private boolean live(SstHandle h) {
    return new Manifest(store).loadLatest().table(h.tableId()) != null;
  }

  @Test
  void aCommitWithoutATokenIsRefusedBeforeAnythingHappens() {
    List<SstHandle> handles = external("k", "old");
    long before = db.currentVersion();
    for (String token : new String[] {null, ""}) {
      assertThatThrownBy(() -> db.commit(handles, token))
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
          .hasMessageContaining("commit token");
    }
    // Refused before claiming the writer role: no fence, no edit.
    assertThat(db.currentVersion()).isEqualTo(before);
    assertThat(get("k")).isNull();
    // Through an open writer as well.
    try (Writer w = db.openWriter(wo)) {
      assertThatThrownBy(() -> db.commit(handles, null))
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
          .hasMessageContaining("commit token");
      w.put(b("w"), b("1"));
      w.flush(); // the writer is still usable
    }
    assertThat(get("w")).isEqualTo("1");
  }

  @Test
  void aRetriedCommitAfterCompactionReturnsTheEarlierVersionAndAddsNothing() {
    List<SstHandle> handles = external("k", "old");
    CommitResult first = db.commit(handles, "job:cp-1");
    assertThat(get("k")).isEqualTo("old");
    newerWriteThenCompact("k", "new");
    assertThat(live(handles.get(0))).isFalse(); // compacted away: the old first-table check misses
    assertThat(get("k")).isEqualTo("new");
    long head = db.currentVersion();

    CommitResult again = db.commit(handles, "job:cp-1");
    assertThat(again).isEqualTo(new CommitResult(first.version(), true));
    assertThat(db.currentVersion()).isEqualTo(head);
    assertThat(get("k")).isEqualTo("new");

    // The same through an open writer (the Flink committer with a live writer in the process).
    try (Writer w = db.openWriter(wo)) {
      CommitResult third = db.commit(handles, "job:cp-1");
      assertThat(third).isEqualTo(new CommitResult(first.version(), true));
      w.flush();
    }
    assertThat(get("k")).isEqualTo("new");
  }

  /**
   * The replay of a handle whose lease field names a data object: the commit would delete it after
   * appending (it deletes the handles' leases). A handle comes from outside (Flink state), so only
   * names under {@code manifest/leases/} are accepted.
   */
  @Test
  void aHandleWhoseLeaseIsNotUnderTheLeaseDirectoryIsRefused() {
    List<SstHandle> committed = external("a", "1");
    db.commit(committed, "job:cp-1");
    SstMeta victim = SstHandleCodec.meta(committed.get(0));
    SstHandle real = external("b", "2").get(0);
    for (String lease :
        new String[] {
          victim.objectName(),
          "manifest/CURRENT",
          "manifest/leases/../CURRENT",
          "manifest/leases/x/y.json",
          "manifest/leases/.json",
          "manifest/leases/x.txt",
          ""
        }) {
      SstHandle forged =
          SstHandle.fromBytes(SstHandleCodec.of(SstHandleCodec.meta(real), lease).toBytes());
      assertThatThrownBy(() -> db.commit(List.of(forged), "job:cp-2"))
          .as("lease %s", lease)
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
          .hasMessageContaining("lease")
          .hasMessageContaining(real.tableId());
    }
    assertThat(store.get(victim.objectName())).isPresent();
    assertThat(get("a")).isEqualTo("1");
    assertThat(get("b")).isNull();
    db.commit(List.of(real), "job:cp-2");
    assertThat(get("b")).isEqualTo("2");
  }
}
