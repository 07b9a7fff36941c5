package io.isledb.db.write;

import io.isledb.db.DbContext;
import io.isledb.db.MemtableBudget;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A writer's share of the memtable budget of shared resources ({@link MemtableBudget}); does
 * nothing for a writer without one.
 */
final class WriterBudget {
  private final MemtableBudget budget;
  private final MemtableBudget.Member member;

  private WriterBudget(MemtableBudget budget, MemtableBudget.Member member) {
    this.budget = budget;
    this.member = member;
  }

  /** Joins the context's budget, if any; {@code freeze} freezes the given memtable. */
  static WriterBudget join(DbContext ctx, Supplier<Memtable> active, Consumer<Memtable> freeze) {
    MemtableBudget b = ctx.resources().memtableBudget();
    if (b == null) {
      return new WriterBudget(null, null);
    }
    return new WriterBudget(
        b,
        b.join(
            new MemtableBudget.Writer() {
              @Override
              public long activeBytes() {
                return active.get().approximateBytes();
              }

              @Override
              public void freezeActive() {
                freeze.accept(active.get());
              }
            }));
  }

  void awaitRoom(Runnable usable) {
    if (budget != null) {
      budget.awaitRoom(usable);
    }
  }

  void added(long bytes) {
    if (member != null) {
      member.added(bytes);
    }
  }

  void released(long bytes) {
    if (member != null) {
      member.released(bytes);
    }
  }

  void leave() {
    if (member != null) {
      member.leave();
    }
  }
}
