package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.Change;
import io.isledb.CompactionFilter;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Append operands beyond plain reads: the tailing reader emits each operand as its own change kind,
 * the compaction filter judges the folded value (never a lone operand), and bad operands are
 * refused before anything is buffered.
 */
class AppendEdgesTest {
  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
  private final DBOptions dbo = DBOptions.defaults().withClock(clock);

  @TempDir Path cache;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void theTailingReaderEmitsOperandsAsAppendChanges() {
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(WriterOptions.defaults());
        TailingReader tail = db.openTailingReader(TailingReaderOptions.defaults())) {
      w.put(b("k"), b("a"));
      w.append(b("k"), b("|b"));
      w.append(b("k"), b("|c"));
      w.delete(b("k"));
      w.append(b("k"), b("|d"));
      w.flush();
      List<Change> changes = tail.poll(TailPosition.start(), 100).changes();
      assertThat(changes)
          .extracting(Change::type)
          .containsExactly(
              Change.Type.PUT,
              Change.Type.APPEND,
              Change.Type.APPEND,
              Change.Type.DELETE,
              Change.Type.APPEND);
      assertThat(changes).extracting(c -> s(c.value())).containsExactly("a", "|b", "|c", "", "|d");
    }
  }

  @Test
  void theCompactionFilterJudgesFoldedValuesOnly() {
    // Drops values that end with "|x": a lone operand "|x" never reaches it, the folded "a|x" does.
    CompactionFilter dropX =
        (key, value, now) ->
            s(value).endsWith("|x")
                ? CompactionFilter.Decision.DROP
                : CompactionFilter.Decision.KEEP;
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(WriterOptions.defaults());
        Reader r = db.openReader(ReaderOptions.defaults().withCacheDir(cache))) {
      w.put(b("dropped"), b("a"));
      w.put(b("kept"), b("a"));
      w.flush();
      w.append(b("dropped"), b("|x"));
      w.append(b("kept"), b("|y"));
      w.append(b("operand-only"), b("|x"));
      w.flush();
      try (Compactor c =
          db.openCompactor(CompactorOptions.defaults().withL0Trigger(1).withFilter(dropX))) {
        while (c.runOnce().isPresent()) {
          // everything into one run
        }
      }
      r.refresh();
      try (ReadView v = r.snapshot()) {
        assertThat(v.get(b("dropped"))).isEmpty();
        assertThat(v.get(b("kept")).map(AppendEdgesTest::s)).contains("a|y");
        // Bottommost: the lone operand became the value "|x", which the filter then dropped.
        assertThat(v.get(b("operand-only"))).isEqualTo(Optional.empty());
      }
    }
  }

  @Test
  void badOperandsAreRefusedNamingTheKey() {
    try (IsleDB db = IsleDB.open(store, dbo);
        Writer w = db.openWriter(WriterOptions.defaults())) {
      assertThatThrownBy(() -> w.append(b("k"), null))
          .isInstanceOf(IsleException.class)
          .hasMessageContaining("key 0x6b");
      assertThatThrownBy(() -> w.append(null, b("x")))
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT));
      w.append(b("k"), b("ok"));
      assertThat(w.view().get(b("k")).map(AppendEdgesTest::s)).contains("ok");
    }
  }
}
