package io.isledb.manifest;

import static io.isledb.manifest.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.FencedException;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.RequestStats.RequestKind;
import io.isledb.storage.InMemoryObjectStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ManifestAppenderTest {
  private final ObjectStore store = new InMemoryObjectStore();
  private final Manifest ms = new Manifest(store);

  private ManifestAppender appender(Role role, String author, int snapshotEvery) {
    ManifestState head = ms.loadLatest();
    return new ManifestAppender(
        ms, role, author, Clock.systemUTC(), head, head.seq(), snapshotEvery, false, 300_000);
  }

  private static Optional<Edit.Change> addOne(ManifestState s, int n) {
    long seq = s.lastSeq() + 1;
    return Optional.of(new Edit.AddTables(List.of(table(n, "a", "z", seq, seq)), seq, -1));
  }

  @Test
  void newWriterFencesTheOldOne() {
    ManifestAppender a = appender(Role.WRITER, "a", 32);
    a.fence();
    a.append(s -> addOne(s, 1), null);
    ManifestAppender b = appender(Role.WRITER, "b", 32);
    b.fence();
    assertThat(b.epoch()).isEqualTo(2);
    assertThatThrownBy(() -> a.append(s -> addOne(s, 2), null))
        .isInstanceOf(FencedException.class)
        .hasMessageContaining("fenced by epoch 2");
    b.append(s -> addOne(s, 3), null);
    ManifestState s = ms.loadLatest();
    assertThat(s.l0()).extracting(SstMeta::id).containsExactly(Tables.id(3), Tables.id(1));
  }

  @Test
  void tokenAlreadyCommittedIsANoOpReturningTheEarlierVersion() {
    ManifestAppender a = appender(Role.WRITER, "a", 32);
    a.fence();
    ManifestAppender.Appended first = a.append(s -> addOne(s, 1), "job:1");
    // A new committer instance (after a failover) replays the same token.
    ManifestAppender b = appender(Role.WRITER, "b", 32);
    b.fence();
    ManifestAppender.Appended again = b.append(s -> addOne(s, 2), "job:1");
    assertThat(again.duplicate()).isTrue();
    assertThat(again.version()).isEqualTo(first.version());
    assertThat(ms.loadLatest().l0()).hasSize(1);
  }

  @Test
  void rolesAppendConcurrentlyAndEveryEditLandsOnce() throws Exception {
    int perRole = 60;
    Role[] roles = {Role.WRITER, Role.COMPACTOR, Role.RETENTION};
    List<ManifestAppender> appenders = new ArrayList<>();
    for (Role r : roles) {
      ManifestAppender a = appender(r, r.id(), 16);
      a.fence();
      appenders.add(a);
    }
    CyclicBarrier start = new CyclicBarrier(roles.length);
    ExecutorService pool = Executors.newFixedThreadPool(roles.length);
    List<Future<Integer>> fs = new ArrayList<>();
    for (int t = 0; t < roles.length; t++) {
      ManifestAppender a = appenders.get(t);
      int base = t * 1000;
      fs.add(
          pool.submit(
              () -> {
                start.await();
                int committed = 0;
                for (int i = 0; i < perRole; i++) {
                  int n = base + i + 1;
                  ManifestAppender.Appended r;
                  if (a.role() == Role.WRITER) {
                    r = a.append(s -> addOne(s, n), null);
                  } else if (a.role() == Role.COMPACTOR) {
                    // Moves the oldest L0 table into a new run (same range, new id): real
                    // contention with the writer's appends on the L0 list.
                    r =
                        a.append(
                            s -> {
                              if (s.l0().isEmpty()) {
                                return Optional.empty();
                              }
                              SstMeta oldest = s.l0().get(s.l0().size() - 1);
                              SstMeta copy = table(n, "a", "z", oldest.minSeq(), oldest.maxSeq());
                              return Optional.of(
                                  new Edit.Compact(List.of(oldest.id()), List.of(copy)));
                            },
                            null);
                  } else {
                    r = a.append(s -> Optional.of(new Edit.DropTables(List.of(), -1)), null);
                  }
                  if (!r.duplicate()) {
                    committed++;
                  }
                }
                return committed;
              }));
    }
    int committed = 0;
    for (Future<Integer> f : fs) {
      committed += f.get();
    }
    pool.shutdown();
    ManifestState s = ms.loadLatest();
    assertThat(s.seq()).isEqualTo(roles.length + committed);
    assertThat(s.allTables()).hasSize(perRole);
    // Recency order equals sequence order across L0 and runs (newest first).
    List<SstMeta> all = s.allTables();
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i - 1).minSeq()).isGreaterThan(all.get(i).maxSeq());
    }
    // Snapshots were written and a cold open reads one snapshot plus a short tail.
    assertThat(ms.listSnapshots()).isNotEmpty();
    InMemoryObjectStore fresh = (InMemoryObjectStore) store;
    long before = fresh.stats().count(RequestKind.GET);
    ManifestState cold = new Manifest(store).loadLatest();
    long gets = fresh.stats().count(RequestKind.GET) - before;
    assertThat(cold.seq()).isEqualTo(s.seq());
    // CURRENT + snapshot + at most 2 * snapshotEvery edits + the free slot
    assertThat(gets).isLessThanOrEqualTo(2 + 2 * 16 + 1);
  }

  @Test
  void conflictingEditIsRefusedWithAClearError() {
    ManifestAppender w = appender(Role.WRITER, "w", 32);
    w.fence();
    w.append(s -> addOne(s, 1), null);
    ManifestAppender r = appender(Role.RETENTION, "r", 32);
    r.fence();
    assertThatThrownBy(
            () -> r.append(s -> Optional.of(new Edit.DropTables(List.of(Tables.id(99)), -1)), null))
        .isInstanceOf(IsleException.class)
        .satisfies(
            e -> assertThat(((IsleException) e).kind()).isEqualTo(IsleException.Kind.CONFLICT))
        .hasMessageContaining("not live");
  }

  @Test
  void idleCatchUpCostsOneRead() {
    ManifestAppender a = appender(Role.WRITER, "a", 32);
    a.fence();
    a.append(s -> addOne(s, 1), null);
    ManifestState s = ms.loadLatest();
    long before = store.stats().total();
    ManifestState same = ms.catchUp(s);
    assertThat(same.seq()).isEqualTo(s.seq());
    assertThat(store.stats().total() - before).isEqualTo(1);
  }
}
