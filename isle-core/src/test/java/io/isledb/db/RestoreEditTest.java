package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.PinOptions;
import io.isledb.ReadView;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.manifest.Edit;
import io.isledb.manifest.Manifest;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link IsleDB#openWriterRestoredTo} appends (PROTOCOL.md, "Rollback to a pinned version"):
 * only its fence when the head is the pinned version's state already (nothing but fences after it,
 * or a rollback to it that nothing followed; a version pin is compared with the head, a history
 * pin's following edits are read), else its fence and one {@code restore} edit, whose snapshot is
 * written off the opening thread and is on storage once the writer is closed.
 */
class RestoreEditTest {
  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
  private final DBOptions dbo =
      DBOptions.defaults()
          .withClock(clock)
          .withIdSource(Ids.seededSource(7))
          .withSnapshotEvery(64)
          .withGcGracePeriod(Duration.ofMinutes(10));
  private final IsleDB db = IsleDB.open(store, dbo);
  private final Manifest manifest = new Manifest(store);

  @AfterEach
  void close() {
    db.close();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static WriterOptions wo() {
    return WriterOptions.defaults().withFlushInterval(Duration.ZERO);
  }

  /** Writes k = v1..v{@code versions}, pins the head after v{@code pinAt}; returns its version. */
  private long write(int versions, int pinAt) {
    long pinned = -1;
    try (Writer w = db.openWriter(wo())) {
      for (int i = 1; i <= versions; i++) {
        w.put(b("k"), b("v" + i));
        w.flush();
        if (i == pinAt) {
          pinned = w.pinHead("cp", PinOptions.defaults());
        }
      }
    }
    return pinned;
  }

  private Optional<String> valueAtHead(Writer w) {
    try (ReadView v = w.view()) {
      return v.get(b("k")).map(x -> new String(x, StandardCharsets.UTF_8));
    }
  }

  private String change(long slot) {
    return manifest.readEdit(slot).map(e -> e.change().getClass().getSimpleName()).orElse("free");
  }

  @Test
  void restoringToTheHeadAppendsOnlyTheFence() {
    long pinned = write(3, 3);
    try (Writer w = db.openWriterRestoredTo(wo(), "cp")) {
      assertThat(change(pinned + 1)).as("the slot after the pinned version").isEqualTo("Fence");
      assertThat(change(pinned + 2)).as("no restore edit after the fence").isEqualTo("free");
      assertThat(valueAtHead(w)).contains("v3");
      w.put(b("k"), b("after"));
      w.flush();
    }
    try (Writer w = db.openWriter(wo())) {
      assertThat(valueAtHead(w)).contains("after");
    }
  }

  @Test
  void restoredAttemptsThatCommittedNothingLeaveOnlyFences() {
    long pinned = write(3, 3);
    for (int attempt = 1; attempt <= 3; attempt++) {
      try (Writer w = db.openWriterRestoredTo(wo(), "cp")) {
        assertThat(valueAtHead(w)).as("attempt %d", attempt).contains("v3");
      }
    }
    for (long slot = pinned + 1; slot <= pinned + 3; slot++) {
      assertThat(change(slot)).as("slot %d", slot).isEqualTo("Fence");
    }
    assertThat(change(pinned + 4)).isEqualTo("free");
  }

  @Test
  void aVersionPinIsComparedWithTheHeadHoweverManyFencesFollowIt() {
    long pinned = write(3, 3);
    for (int attempt = 1; attempt <= 12; attempt++) {
      try (Writer w = db.openWriterRestoredTo(wo(), "cp")) {
        assertThat(valueAtHead(w)).as("attempt %d", attempt).contains("v3");
      }
    }
    // More fences than a history pin's check reads (8): the pin's state still equals the head's.
    for (long slot = pinned + 1; slot <= pinned + 12; slot++) {
      assertThat(change(slot)).as("slot %d", slot).isEqualTo("Fence");
    }
    assertThat(change(pinned + 13)).isEqualTo("free");
  }

  @Test
  void theSameCheckpointRestoredAgainAfterARollbackNeedsNoSecondEdit() {
    long pinned = write(3, 2);
    long head = pinned + 1; // v3's version
    try (Writer w = db.openWriterRestoredTo(wo(), "cp")) {
      assertThat(valueAtHead(w)).contains("v2");
    }
    assertThat(change(head + 2)).isEqualTo("Restore");
    // The next failover before anything was written: the head is the pinned state already.
    try (Writer w = db.openWriterRestoredTo(wo(), "cp")) {
      assertThat(valueAtHead(w)).contains("v2");
      w.put(b("k"), b("v2-after"));
      w.flush();
    }
    assertThat(change(head + 3)).isEqualTo("Fence");
    assertThat(change(head + 4)).as("the write after the second restore").isEqualTo("AddTables");
    // A write after the rollback is rolled back again by the next restore.
    try (Writer w = db.openWriterRestoredTo(wo(), "cp")) {
      assertThat(valueAtHead(w)).contains("v2");
    }
    assertThat(change(head + 5)).isEqualTo("Fence");
    assertThat(change(head + 6)).isEqualTo("Restore");
  }

  @Test
  void aHistoryPinReadsAtMostEightEditsThenAppendsARestoreEdit() {
    long pinned = write(3, 3);
    db.pinHistory("hist", pinned);
    for (int attempt = 1; attempt <= 9; attempt++) {
      try (Writer w = db.openWriterRestoredTo(wo(), "hist")) {
        assertThat(valueAtHead(w)).contains("v3");
      }
    }
    // Attempts 1-9 found 0-8 fences after the pinned version; the 10th finds 9 and does not look.
    assertThat(change(pinned + 10)).isEqualTo("free");
    try (Writer w = db.openWriterRestoredTo(wo(), "hist")) {
      assertThat(valueAtHead(w)).contains("v3");
    }
    assertThat(change(pinned + 10)).isEqualTo("Fence");
    assertThat(change(pinned + 11)).isEqualTo("Restore");
  }

  @Test
  void restoringBehindTheHeadAppendsARestoreEditAndItsSnapshotIsWrittenByClose() {
    long pinned = write(3, 2);
    long head = pinned + 1; // v3's version
    try (Writer w = db.openWriterRestoredTo(wo(), "cp")) {
      assertThat(manifest.readEdit(head + 1))
          .hasValueSatisfying(e -> assertThat(e.change()).isInstanceOf(Edit.Fence.class));
      assertThat(manifest.readEdit(head + 2))
          .as("the rollback")
          .hasValueSatisfying(e -> assertThat(e.change()).isInstanceOf(Edit.Restore.class));
      assertThat(valueAtHead(w)).contains("v2");
    }
    assertThat(manifest.readSnapshot(head + 2))
        .as("snapshot of the restored version, written off the opening thread, done by close")
        .isPresent();
    try (Writer w = db.openWriter(wo())) {
      assertThat(valueAtHead(w)).contains("v2");
    }
  }
}
