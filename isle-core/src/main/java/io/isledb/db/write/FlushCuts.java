package io.isledb.db.write;

import io.isledb.IsleException;
import io.isledb.PinOptions;
import io.isledb.db.DbContext;
import io.isledb.db.Pins;
import io.isledb.manifest.ManifestState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The writer's checkpoint bookkeeping: the futures of {@code flushAsync} cuts, one per frozen
 * memtable (by its generation), and the head the writer committed last, from which {@code pinHead}
 * writes a pin without reading the manifest.
 *
 * <p>The cut methods are called under the writer's monitor, which also orders generations and
 * failures; the futures they return or hand back are completed by the caller <em>after</em> leaving
 * it, so a dependent stage never runs while the writer is locked.
 */
final class FlushCuts {
  /**
   * The writer's head as of its own last create: {@code state} became the head through a create
   * sent at or after {@code sentAtMillis} (the writer's clock); null state when the writer cannot
   * say (an ambiguous commit found already in, an external commit).
   */
  record Head(long version, ManifestState state, long sentAtMillis) {}

  private final Map<Long, CompletableFuture<Long>> pending = new HashMap<>();
  private volatile Head head;

  FlushCuts(Head head) {
    this.head = head;
  }

  /**
   * The future of a cut made now, under the monitor: failed with the writer's {@code failure} if
   * any; the {@code head} version when no memtable is waiting ({@code idle}); else the commit of
   * the newest frozen memtable, {@code generation}.
   */
  CompletableFuture<Long> cut(IsleException failure, boolean idle, long head, long generation) {
    if (failure != null) {
      return CompletableFuture.failedFuture(failure);
    }
    if (idle) {
      return CompletableFuture.completedFuture(head);
    }
    return pending.computeIfAbsent(generation, g -> new CompletableFuture<>());
  }

  /** The cut committed as {@code version}, or null if nobody asked for it; under the monitor. */
  CompletableFuture<Long> committed(long generation) {
    return pending.remove(generation);
  }

  /**
   * The cuts still waiting for generation {@code first} or a later one, removed, to be failed by
   * the writer's failure; under the monitor. The cuts of earlier generations stay: their memtables
   * are still flushing, and commit or fail on their own.
   */
  List<CompletableFuture<Long>> failFrom(long first) {
    List<CompletableFuture<Long>> out = new ArrayList<>();
    pending
        .entrySet()
        .removeIf(
            e -> {
              if (e.getKey() < first) {
                return false;
              }
              out.add(e.getValue());
              return true;
            });
    return out;
  }

  static void failEach(List<CompletableFuture<Long>> cuts, IsleException failure) {
    for (CompletableFuture<Long> f : cuts) {
      f.completeExceptionally(failure);
    }
  }

  Head head() {
    return head;
  }

  void setHead(Head h) {
    head = h;
  }

  /**
   * Pins the writer's head under {@code name} and returns its version: one PUT when the writer
   * knows the head's state and committed it less than the grace period ago (rule 1 of "When a pin
   * is accepted", with the send time of the writer's own create as the read that found the head);
   * otherwise the general path ({@link Pins#pin}).
   */
  static long pinHead(DbContext ctx, Head h, String name, PinOptions options) {
    long grace = ctx.options().gcGracePeriod().toMillis();
    if (h.state() != null && ctx.clock().millis() - h.sentAtMillis() < grace) {
      Pins.pinOwnHead(ctx, name, h.state(), h.sentAtMillis(), options);
    } else {
      Pins.pin(ctx, name, h.version(), false, options);
    }
    return h.version();
  }
}
