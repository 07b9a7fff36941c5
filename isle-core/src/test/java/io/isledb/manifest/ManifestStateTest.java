package io.isledb.manifest;

import static io.isledb.manifest.Tables.id;
import static io.isledb.manifest.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CorruptionException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestStateTest {
  private static ManifestState apply(
      ManifestState s, Role role, long epoch, String token, Edit.Change c) {
    ManifestState.Applied a = s.apply(new Edit(s.seq() + 1, role, epoch, "t", 0, token, c));
    assertThat(a.rejection()).as("edit %s", c).isNull();
    return a.state();
  }

  private static String rejection(
      ManifestState s, Role role, long epoch, String token, Edit.Change c) {
    ManifestState.Applied a = s.apply(new Edit(s.seq() + 1, role, epoch, "t", 0, token, c));
    assertThat(a.state().seq()).isEqualTo(s.seq() + 1);
    return a.rejection();
  }

  private static ManifestState fenced() {
    ManifestState s = ManifestState.empty();
    s = apply(s, Role.WRITER, 1, null, new Edit.Fence());
    s = apply(s, Role.COMPACTOR, 1, null, new Edit.Fence());
    return apply(s, Role.RETENTION, 1, null, new Edit.Fence());
  }

  private static Edit.AddTables add(SstMeta... t) {
    return new Edit.AddTables(List.of(t), t[t.length - 1].maxSeq(), -1);
  }

  @Test
  void fencesMustIncreaseAndOldEpochsAreIgnored() {
    ManifestState s = apply(ManifestState.empty(), Role.WRITER, 1, null, new Edit.Fence());
    s = apply(s, Role.WRITER, 2, null, new Edit.Fence());
    assertThat(s.epoch(Role.WRITER)).isEqualTo(2);
    assertThat(rejection(s, Role.WRITER, 2, null, new Edit.Fence())).contains("not above epoch 2");
    assertThat(rejection(s, Role.WRITER, 1, null, add(table(1, "a", "b", 1, 5))))
        .contains("fenced by epoch 2");
    assertThat(rejection(s, Role.WRITER, 3, null, add(table(1, "a", "b", 1, 5))))
        .contains("never fenced");
    ManifestState.Applied ignored =
        s.apply(
            new Edit(s.seq() + 1, Role.WRITER, 1, "old", 0, null, add(table(1, "a", "b", 1, 5))));
    assertThat(ignored.state().l0()).isEmpty();
    assertThat(ignored.state().seq()).isEqualTo(s.seq() + 1);
  }

  @Test
  void addTablesPrependsNewestFirstAndKeepsSequencesIncreasing() {
    ManifestState s = fenced();
    s = apply(s, Role.WRITER, 1, null, add(table(1, "a", "m", 1, 10)));
    s = apply(s, Role.WRITER, 1, null, add(table(2, "b", "z", 11, 20), table(3, "c", "d", 21, 30)));
    assertThat(s.l0()).extracting(SstMeta::id).containsExactly(id(3), id(2), id(1));
    assertThat(s.lastSeq()).isEqualTo(30);
    assertThat(rejection(s, Role.WRITER, 1, null, add(table(4, "a", "b", 30, 31))))
        .contains("not above 30");
    assertThat(rejection(s, Role.WRITER, 1, null, add(table(3, "a", "b", 40, 41))))
        .contains("already live");
    assertThat(rejection(s, Role.COMPACTOR, 1, null, add(table(5, "a", "b", 40, 41))))
        .contains("may not add");
  }

  @Test
  void globalSequenceOfExternalTablesCountsAsTheirSequence() {
    ManifestState s = fenced();
    s = apply(s, Role.WRITER, 1, null, add(table(1, "a", "m", 1, 10)));
    SstMeta ext = table(2, "a", "z", 1, 1).withGlobalSeq(11);
    s = apply(s, Role.WRITER, 1, "job:1", new Edit.AddTables(List.of(ext), 11, -1));
    assertThat(s.lastSeq()).isEqualTo(11);
    assertThat(s.tokenVersion("job:1")).isEqualTo(s.seq());
  }

  @Test
  void tokensDeduplicateAndHistoryIsBounded() {
    ManifestState s = fenced();
    long seq = 1;
    s = apply(s, Role.WRITER, 1, "tok-0", add(table(1, "a", "b", seq, seq)));
    assertThat(rejection(s, Role.WRITER, 1, "tok-0", add(table(2, "a", "b", 2, 2))))
        .contains("already committed");
    for (int i = 1; i <= ManifestState.TOKEN_HISTORY; i++) {
      s = apply(s, Role.WRITER, 1, "tok-" + i, new Edit.AddTables(List.of(), s.lastSeq(), -1));
    }
    assertThat(s.tokens()).hasSize(ManifestState.TOKEN_HISTORY);
    assertThat(s.tokenVersion("tok-0")).isEqualTo(-1);
    assertThat(s.tokenVersion("tok-" + ManifestState.TOKEN_HISTORY)).isEqualTo(s.seq());
  }

  @Test
  void compactionOfL0SuffixBecomesNewestRunBehindRemainingL0() {
    ManifestState s = fenced();
    s = apply(s, Role.WRITER, 1, null, add(table(1, "a", "m", 1, 10)));
    s = apply(s, Role.WRITER, 1, null, add(table(2, "b", "z", 11, 20)));
    s = apply(s, Role.WRITER, 1, null, add(table(3, "c", "d", 21, 30)));
    // Not including the oldest L0 table is refused.
    assertThat(
            rejection(
                s,
                Role.COMPACTOR,
                1,
                null,
                new Edit.Compact(List.of(id(3), id(2)), List.of(table(9, "a", "z", 11, 30)))))
        .contains("oldest L0");
    s =
        apply(
            s,
            Role.COMPACTOR,
            1,
            null,
            new Edit.Compact(
                List.of(id(1), id(2)),
                List.of(table(10, "a", "k", 1, 20), table(11, "l", "z", 1, 20))));
    assertThat(s.l0()).extracting(SstMeta::id).containsExactly(id(3));
    assertThat(s.runs()).hasSize(1);
    assertThat(s.runs().get(0).tables()).extracting(SstMeta::id).containsExactly(id(10), id(11));
    assertThat(s.runs().get(0).id()).isEqualTo(1);
    assertThat(s.nextRunId()).isEqualTo(2);
  }

  @Test
  void mergingRunsKeepsTheirPlaceInRecencyOrder() {
    ManifestState s = fenced();
    for (int i = 1; i <= 4; i++) {
      s = apply(s, Role.WRITER, 1, null, add(table(i, "a", "z", i * 10L, i * 10L + 5)));
      s =
          apply(
              s,
              Role.COMPACTOR,
              1,
              null,
              new Edit.Compact(
                  List.of(id(i)), List.of(table(100 + i, "a", "z", i * 10L, i * 10L + 5))));
    }
    // runs newest first: 104, 103, 102, 101
    assertThat(s.runs())
        .extracting(r -> r.tables().get(0).id())
        .containsExactly(id(104), id(103), id(102), id(101));
    assertThat(
            rejection(
                s,
                Role.COMPACTOR,
                1,
                null,
                new Edit.Compact(List.of(id(104), id(102)), List.of(table(200, "a", "z", 10, 50)))))
        .contains("not contiguous");
    s =
        apply(
            s,
            Role.COMPACTOR,
            1,
            null,
            new Edit.Compact(List.of(id(103), id(102)), List.of(table(200, "a", "z", 20, 35))));
    // The merged run stays between the newer run 104 and the older run 101: it never jumps ahead.
    assertThat(s.runs())
        .extracting(r -> r.tables().get(0).id())
        .containsExactly(id(104), id(200), id(101));
  }

  @Test
  void compactionMustCoverWholeRunsAndLiveInputs() {
    ManifestState s = fenced();
    s = apply(s, Role.WRITER, 1, null, add(table(1, "a", "z", 1, 10)));
    s =
        apply(
            s,
            Role.COMPACTOR,
            1,
            null,
            new Edit.Compact(
                List.of(id(1)), List.of(table(2, "a", "k", 1, 10), table(3, "l", "z", 1, 10))));
    assertThat(
            rejection(
                s,
                Role.COMPACTOR,
                1,
                null,
                new Edit.Compact(List.of(id(2)), List.of(table(4, "a", "k", 1, 10)))))
        .contains("only part of run");
    assertThat(
            rejection(
                s,
                Role.COMPACTOR,
                1,
                null,
                new Edit.Compact(List.of(id(2), id(3), id(99)), List.of())))
        .contains("no longer all live");
    assertThat(
            rejection(
                s,
                Role.COMPACTOR,
                1,
                null,
                new Edit.Compact(
                    List.of(id(2), id(3)),
                    List.of(table(5, "a", "m", 1, 10), table(6, "k", "z", 1, 10)))))
        .contains("overlap");
    assertThat(
            rejection(s, Role.WRITER, 1, null, new Edit.Compact(List.of(id(2), id(3)), List.of())))
        .contains("may not compact");
    // Everything compacted away (all tombstones): the run disappears.
    s = apply(s, Role.COMPACTOR, 1, null, new Edit.Compact(List.of(id(2), id(3)), List.of()));
    assertThat(s.runs()).isEmpty();
  }

  @Test
  void dropRemovesTablesAndEmptyRuns() {
    ManifestState s = fenced();
    s = apply(s, Role.WRITER, 1, null, add(table(1, "a", "z", 1, 10)));
    s = apply(s, Role.WRITER, 1, null, add(table(2, "a", "z", 11, 20)));
    s =
        apply(
            s,
            Role.COMPACTOR,
            1,
            null,
            new Edit.Compact(
                List.of(id(1)), List.of(table(3, "a", "k", 1, 10), table(4, "l", "z", 1, 10))));
    assertThat(rejection(s, Role.RETENTION, 1, null, new Edit.DropTables(List.of(id(1)), -1)))
        .contains("not live");
    s = apply(s, Role.RETENTION, 1, null, new Edit.DropTables(List.of(id(3)), 42));
    assertThat(s.runs().get(0).tables()).extracting(SstMeta::id).containsExactly(id(4));
    assertThat(s.lowWatermarkLsn()).isEqualTo(42);
    s = apply(s, Role.RETENTION, 1, null, new Edit.DropTables(List.of(id(4), id(2)), 7));
    assertThat(s.runs()).isEmpty();
    assertThat(s.l0()).isEmpty();
    assertThat(s.lowWatermarkLsn()).isEqualTo(42);
  }

  @Test
  void editsMustBeAppliedInSlotOrder() {
    ManifestState s = fenced();
    assertThatThrownBy(
            () -> s.apply(new Edit(s.seq() + 2, Role.WRITER, 1, "t", 0, null, new Edit.Fence())))
        .isInstanceOf(CorruptionException.class);
  }
}
