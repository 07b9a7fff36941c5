package io.isledb.testing.children;

import io.isledb.CompactionResult;
import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.DBOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.GcResult;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.RetentionCompactor;
import io.isledb.RetentionCompactorOptions;
import io.isledb.RetentionResult;
import io.isledb.testing.ChildSide;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Maintenance roles in their own process, each in a loop of {@code runOnce()} calls: {@code
 * compactor}, {@code retention}, {@code gc} (any subset, {@code --roles=compactor,gc}). It prints
 * {@code READY} once every role has claimed its epoch, then {@code COMPACTED <version> <inputs>
 * <outputs>}, {@code DROPPED <version> <tables>}, {@code GC <version> <deletedTables>
 * <deletedBlobs> <deletedLog>} per result, {@code CONFLICT <role>} when an edit lost to a
 * concurrent change, and on the command {@code STOP} closes everything and prints {@code DONE
 * <compactions> <drops> <gcPasses>}. With {@code --kill} the store pauses at that {@link
 * io.isledb.testing.KillPoint}.
 *
 * <p>Arguments: {@code --store}, {@code --roles}, {@code --graceMillis}, {@code
 * --logRetentionMillis}, {@code --snapshotEvery}, {@code --l0Trigger} (default 3), {@code
 * --targetTableSize} (default 64 KiB), {@code --retentionMillis} and {@code --retentionCount}
 * (retention by age), {@code --pauseMillis} (idle pause of each loop, default 100), {@code
 * --gcPauseMillis} (pause between GC passes, default the same), {@code --kill}.
 */
public final class MaintenanceChild {
  private MaintenanceChild() {}

  public static void main(String[] argv) {
    ChildSide.run(argv, MaintenanceChild::run);
  }

  private interface Step {
    /** One round; true if it did something. */
    boolean run();
  }

  private static void run(Map<String, String> args) throws Exception {
    List<String> roles = List.of(ChildSide.arg(args, "roles").split(","));
    long pause = ChildSide.longArg(args, "pauseMillis", 100);
    long gcPause = ChildSide.longArg(args, "gcPauseMillis", pause);
    DBOptions dbo = WriterChild.dbOptions(args);
    AtomicLong compactions = new AtomicLong();
    AtomicLong drops = new AtomicLong();
    AtomicLong gcPasses = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    // Counted down on STOP: an idle role waits on it, so STOP ends every loop at once.
    CountDownLatch stopped = new CountDownLatch(1);
    try (ObjectStore store = WriterChild.openStore(args);
        IsleDB db = IsleDB.open(store, dbo)) {
      List<Step> steps = new ArrayList<>();
      List<String> names = new ArrayList<>();
      if (roles.contains("compactor")) {
        Compactor c =
            db.openCompactor(
                CompactorOptions.defaults()
                    .withL0Trigger(ChildSide.intArg(args, "l0Trigger", 3))
                    .withTargetTableSize(ChildSide.longArg(args, "targetTableSize", 64 << 10))
                    .withBlockSize(1024)
                    .withReadaheadBytes(16 << 10));
        names.add("compactor");
        steps.add(
            () -> {
              Optional<CompactionResult> r = c.runOnce();
              r.ifPresent(
                  x -> {
                    compactions.incrementAndGet();
                    ChildSide.mark("COMPACTED", x.version(), x.inputTables(), x.outputTables());
                  });
              return r.isPresent();
            });
      }
      if (roles.contains("retention")) {
        RetentionCompactor rc =
            db.openRetentionCompactor(
                RetentionCompactorOptions.byAge(
                    Duration.ofMillis(ChildSide.longArg(args, "retentionMillis", 3_600_000)),
                    ChildSide.intArg(args, "retentionCount", 0)));
        names.add("retention");
        steps.add(
            () -> {
              Optional<RetentionResult> r = rc.runOnce();
              r.ifPresent(
                  x -> {
                    drops.incrementAndGet();
                    ChildSide.mark("DROPPED", x.version(), x.droppedTables());
                  });
              return r.isPresent();
            });
      }
      if (roles.contains("gc")) {
        GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults());
        names.add("gc");
        steps.add(
            () -> {
              GcResult r = gc.runOnce();
              gcPasses.incrementAndGet();
              ChildSide.mark(
                  "GC", r.version(), r.deletedTables(), r.deletedBlobs(), r.deletedLogEdits());
              return false;
            });
      }
      ChildSide.mark("READY", String.join(",", names));
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < steps.size(); i++) {
        Step step = steps.get(i);
        String name = names.get(i);
        Thread t =
            new Thread(
                () -> {
                  boolean idle = false;
                  while (!stop.get()) {
                    boolean busy;
                    try {
                      busy = step.run();
                      if (busy) {
                        idle = false;
                      }
                    } catch (IsleException e) {
                      if (e.kind() == IsleException.Kind.CONFLICT) {
                        // An input vanished under a concurrent retention drop: expected.
                        ChildSide.mark("CONFLICT", name);
                        busy = true;
                      } else {
                        ChildSide.mark("FAILED", name, e.toString().replace(' ', '_'));
                        throw e;
                      }
                    }
                    if (!busy) {
                      if (!name.equals("gc") && !idle) {
                        idle = true;
                        ChildSide.mark("IDLE", name);
                      }
                      try {
                        // Idle pacing of an independent role, as the engine's own background
                        // loops poll storage at an interval: nothing in this process can signal
                        // another process's new work. The parent never waits for this pause; it
                        // waits for markers. STOP ends the pause at once.
                        stopped.await(name.equals("gc") ? gcPause : pause, TimeUnit.MILLISECONDS);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  }
                },
                "maint-" + name);
        t.start();
        threads.add(t);
      }
      ChildSide.awaitCommand("STOP", Duration.ofDays(1));
      stop.set(true);
      stopped.countDown();
      for (Thread t : threads) {
        t.join();
      }
    }
    ChildSide.mark("DONE", compactions.get(), drops.get(), gcPasses.get());
  }
}
