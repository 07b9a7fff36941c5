package io.isledb.manifest;

import static io.isledb.manifest.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.IsleException;
import io.isledb.storage.FaultInjectingObjectStore;
import io.isledb.storage.FaultInjectingObjectStore.Operation;
import io.isledb.storage.InMemoryObjectStore;
import io.isledb.testing.HookedObjectStore;
import io.isledb.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What an author knows about the log is only as fresh as the moment it sent the request that told
 * it: a create that lands, or whose response arrives, long after it was sent must neither extend
 * the author's freshness nor be retried past its deadline.
 */
class AppendTimingTest {
  private static final long FRESHNESS = Duration.ofMinutes(5).toMillis();

  private final MutableClock clock = new MutableClock(1_700_000_000_000L);
  private final InMemoryObjectStore base = new InMemoryObjectStore(clock);
  private final Manifest direct = new Manifest(base);

  private ManifestAppender appender(Manifest ms, Role role, String author) {
    ManifestState head = ms.loadLatest();
    return new ManifestAppender(ms, role, author, clock, head, head.seq(), 1000, false, FRESHNESS);
  }

  private static Optional<Edit.Change> addOne(ManifestState s, int n) {
    long seq = s.lastSeq() + 1;
    return Optional.of(new Edit.AddTables(List.of(table(n, "a", "z", seq, seq)), seq, -1));
  }

  /**
   * The retention author's create lands at once, but its response comes back 11 minutes later (a
   * stalled process). Meanwhile the writer appends the next slot and GC collects the log up to it.
   * The author's knowledge of the log dates from when it sent the create, not from when the
   * response arrived: its next append must re-check, not take the collected slot.
   */
  @Test
  void aSlowResponseDoesNotExtendTheFreshnessWindow() {
    AtomicBoolean armed = new AtomicBoolean();
    ManifestAppender[] writer = new ManifestAppender[1];
    HookedObjectStore hooked =
        new HookedObjectStore(
            base,
            (op, phase, name) -> {
              if (op == HookedObjectStore.Op.CREATE_IF_ABSENT
                  && phase == HookedObjectStore.Phase.AFTER
                  && name.startsWith(ManifestPaths.LOG_DIR)
                  && armed.getAndSet(false)) {
                clock.advance(Duration.ofMinutes(1));
                writer[0].append(s -> addOne(s, 2), null);
                ManifestState head = writer[0].head();
                clock.advance(Duration.ofMinutes(10));
                direct.writeSnapshot(head, clock.millis());
                direct.writeCurrent(
                    new ManifestCodec.Current(head.seq(), head.seq(), -1, -1, clock.millis()));
                for (long s = 1; s <= head.seq(); s++) {
                  base.delete(ManifestPaths.log(s));
                }
              }
            });
    Manifest slow = new Manifest(hooked);
    writer[0] = appender(direct, Role.WRITER, "w");
    writer[0].fence();
    writer[0].append(s -> addOne(s, 1), null);
    writer[0].append(s -> addOne(s, 3), null);
    ManifestAppender retention = appender(slow, Role.RETENTION, "r");
    retention.fence();

    armed.set(true);
    ManifestAppender.Appended first =
        retention.append(s -> Optional.of(new Edit.DropTables(List.of(Tables.id(1)), -1)), null);
    assertThat(first.version()).isEqualTo(5);
    assertThat(direct.readEdit(6)).as("collected").isEmpty();

    ManifestAppender.Appended second =
        retention.append(s -> Optional.of(new Edit.DropTables(List.of(Tables.id(3)), -1)), null);
    assertThat(base.get(ManifestPaths.log(6)))
        .as("nothing was written into the collected slot 6")
        .isEmpty();
    assertThat(second.version()).isEqualTo(7);
    ManifestState latest = direct.loadLatest();
    assertThat(latest.seq()).isEqualTo(7);
    assertThat(latest.allTables())
        .as("both drops are visible")
        .extracting(SstMeta::id)
        .containsExactly(Tables.id(2));
  }

  /**
   * Every create attempt (first and retries) is sent before the deadline: a request that took so
   * long that the deadline passed is not retried, however many retries are left.
   */
  @Test
  void retriesAreNotSentAfterTheDeadline() {
    List<Long> sentAt = new ArrayList<>();
    AtomicBoolean slow = new AtomicBoolean();
    FaultInjectingObjectStore faulty =
        FaultInjectingObjectStore.builder(base)
            .seed(8)
            .latency(Operation.CREATE_IF_ABSENT, Duration.ofMinutes(3))
            .sleeper(
                d -> {
                  if (slow.get()) {
                    clock.advance(d);
                  }
                })
            .build();
    HookedObjectStore hooked =
        new HookedObjectStore(
            faulty,
            (op, phase, name) -> {
              if (op == HookedObjectStore.Op.CREATE_IF_ABSENT
                  && phase == HookedObjectStore.Phase.BEFORE
                  && name.startsWith(ManifestPaths.LOG_DIR)) {
                sentAt.add(clock.millis());
              }
            });
    ManifestAppender w = appender(new Manifest(hooked), Role.WRITER, "w");
    w.fence();
    sentAt.clear();

    slow.set(true);
    faulty.failNext(Operation.CREATE_IF_ABSENT, 3);
    long start = clock.millis();
    long deadline = start + Duration.ofMinutes(5).toMillis();
    assertThatThrownBy(() -> w.append(s -> addOne(s, 1), null, () -> deadline))
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.UNAVAILABLE))
        .hasMessageContaining("deadline");
    assertThat(sentAt).as("attempts at +0 and +3 min; none at +6").hasSize(2);
    assertThat(sentAt).allSatisfy(t -> assertThat(t).isLessThanOrEqualTo(deadline));
    assertThat(direct.readEdit(2)).isEmpty();

    // With time left, the same appender tries again (one injected failure is left) and lands.
    slow.set(false);
    ManifestAppender.Appended a = w.append(s -> addOne(s, 1), null, () -> clock.millis() + 1);
    assertThat(a.version()).isEqualTo(2);
  }
}
