package io.isledb.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.CommitMark;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The replay rule for commit users (PROTOCOL.md, "Commit users"), next to the token rule it
 * replaces for exactly-once commits: a token is forgotten after {@link ManifestState#TOKEN_HISTORY}
 * later commits, so its replay is applied again (a duplicate edit); a commit user's mark is never
 * forgotten, across snapshots (encoded and decoded) included.
 */
class CommitUserReplayRuleTest {
  private static final long T = 1_700_000_000_000L;

  private static Edit add(long seq, String token, String user, long id) {
    return new Edit(
        seq,
        Role.WRITER,
        1,
        "committer",
        T,
        token,
        new Edit.AddTables(List.of(), 0, -1, user, user == null ? 0 : id, Map.of()));
  }

  private static ManifestState fenced() {
    return ManifestState.empty()
        .apply(new Edit(1, Role.WRITER, 1, "committer", T, null, new Edit.Fence()))
        .state();
  }

  @Test
  void aTokenIsForgottenAfterTheHistoryWindowSoItsReplayIsAppliedAgain() {
    ManifestState s = fenced();
    s = s.apply(add(s.seq() + 1, "job:cp-0", null, 0)).state();
    assertThat(s.validate(add(s.seq() + 1, "job:cp-0", null, 0))).contains("already committed");
    for (int i = 1; i <= ManifestState.TOKEN_HISTORY; i++) {
      s = s.apply(add(s.seq() + 1, "job:cp-" + i, null, 0)).state();
    }
    // The limitation commit users remove: the old token's replay would be a second edit.
    assertThat(s.validate(add(s.seq() + 1, "job:cp-0", null, 0))).isNull();
  }

  @Test
  void aCommitUsersMarkIsNeverForgottenAndSurvivesSnapshots() {
    ManifestState s = fenced();
    s = s.apply(add(s.seq() + 1, null, "sink", 1)).state();
    long firstVersion = s.seq();
    assertThat(s.commits().mark("sink")).contains(new CommitMark("sink", 1, firstVersion));
    for (int i = 0; i < 2 * ManifestState.TOKEN_HISTORY; i++) {
      s = s.apply(add(s.seq() + 1, null, "other", 1 + i)).state();
      if (i % 1000 == 0) { // through a snapshot's bytes, as a cold open reads it
        s = ManifestCodec.decodeSnapshot("s", s.seq(), ManifestCodec.encodeSnapshot(s, T));
      }
    }
    for (long replay : new long[] {0, 1}) {
      ManifestState.Applied a = s.apply(add(s.seq() + 1, null, "sink", replay));
      assertThat(a.accepted()).as("replay of identifier %d", replay).isFalse();
      assertThat(a.rejection())
          .contains("not above its mark 1")
          .contains("version " + firstVersion);
      assertThat(a.state().commits().mark("sink"))
          .contains(new CommitMark("sink", 1, firstVersion));
    }
    ManifestState.Applied next = s.apply(add(s.seq() + 1, null, "sink", 2));
    assertThat(next.accepted()).isTrue();
    assertThat(next.state().commits().mark("sink"))
        .contains(new CommitMark("sink", 2, next.state().seq()));
    assertThat(next.state().commits().users()).hasSize(2);
  }
}
