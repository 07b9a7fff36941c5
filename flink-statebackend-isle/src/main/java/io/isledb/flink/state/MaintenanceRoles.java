package io.isledb.flink.state;

import io.isledb.Compactor;
import io.isledb.CompactorOptions;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.IsleDB;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compactor and garbage collector of one backend's database. A new database opens them at once.
 * A restored one (reopened at a pin, or forked) opens them {@code maintenance.start-delay} after
 * the restore on a thread of its own, not on the task thread: each open loads the manifest and
 * appends its role's fence (a durable write), which on a restore's critical path cost as much as
 * the writer's own open, for roles that would not do anything before the delay anyway. A {@link
 * #requestGc() GC request} before then opens them at once.
 *
 * <p>Fencing stays correct: a role's fence only stops an earlier instance of the same role (a
 * compactor or GC of the failed attempt), and until the fence that instance is a racing role like
 * any other (the engine refuses a compaction whose inputs the rollback made dead, PROTOCOL.md
 * "Rollback to a pinned version"); the writer, whose fence protects the data, still fences during
 * the restore.
 */
final class MaintenanceRoles implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MaintenanceRoles.class);

  /** One thread per process opens the roles of every restored database when their delay ends. */
  private static final ScheduledExecutorService OPENER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "isle-maintenance-open");
            t.setDaemon(true);
            return t;
          });

  /** Called on the thread that opens the roles, before it does (tests; null: none). */
  static volatile Runnable beforeOpen;

  private final IsleDB db;
  private final Maintenance settings;
  private final TtlCompactionFilter ttlFilter;
  private final List<AutoCloseable> roles = new CopyOnWriteArrayList<>();
  private ScheduledFuture<?> pending;
  private boolean opening;
  private boolean opened;
  private boolean closed;
  private boolean gcRequested;

  private MaintenanceRoles(IsleDB db, Maintenance settings, TtlCompactionFilter ttlFilter) {
    this.db = db;
    this.settings = settings;
    this.ttlFilter = ttlFilter;
  }

  /**
   * The roles {@code settings} asks for on {@code db}: opened and started now for a new database;
   * for a {@code restored} one opened and started {@code maintenance.start-delay} later on the
   * opener thread (now when the delay is zero).
   */
  static MaintenanceRoles open(
      IsleDB db, Maintenance settings, TtlCompactionFilter ttlFilter, boolean restored) {
    MaintenanceRoles m = new MaintenanceRoles(db, settings, ttlFilter);
    Duration delay = restored ? settings.maintenanceStartDelay : Duration.ZERO;
    if (!settings.compaction && !settings.gc()) {
      return m;
    }
    if (delay.isZero()) {
      m.opening = true;
      m.openNow();
    } else {
      synchronized (m) {
        m.pending = OPENER.schedule(m::openLater, delay.toNanos(), TimeUnit.NANOSECONDS);
      }
    }
    return m;
  }

  /** Whether the roles are open (tests). */
  synchronized boolean opened() {
    return opened;
  }

  private void openLater() {
    synchronized (this) {
      if (closed || opened || opening) {
        return;
      }
      opening = true;
    }
    try {
      Runnable hook = beforeOpen;
      if (hook != null) {
        hook.run();
      }
      openNow();
    } catch (RuntimeException e) {
      // The database goes on without maintenance (as with compaction and GC disabled); a backend
      // that was disposed or fenced meanwhile lands here too.
      LOG.warn("cannot open the compactor and garbage collector of {}", db, e);
      synchronized (this) {
        opening = false;
        notifyAll();
      }
    }
  }

  /** Opens and starts the roles; the caller set {@code opening}. */
  private void openNow() {
    List<AutoCloseable> opens = new ArrayList<>(2);
    GarbageCollector gc = null;
    try {
      if (settings.compaction) {
        Compactor compactor =
            db.openCompactor(
                CompactorOptions.defaults()
                    .withFilter(ttlFilter)
                    .withL0StopWrites(settings.l0StopWrites));
        opens.add(compactor);
        compactor.start();
      }
      if (settings.gc()) {
        // A zero interval is not a valid GcOptions interval: passes then come only on request.
        Duration interval = settings.gcInterval.isZero() ? Duration.ofDays(1) : settings.gcInterval;
        gc = db.openGarbageCollector(new GcOptions(interval));
        opens.add(gc);
        if (!settings.gcInterval.isZero()) {
          gc.start();
        }
      }
    } catch (RuntimeException e) {
      closeQuietly(opens);
      throw e;
    }
    boolean pass;
    synchronized (this) {
      opening = false;
      notifyAll();
      if (closed) {
        closeQuietly(opens);
        return;
      }
      roles.addAll(opens);
      opened = true;
      pass = gcRequested;
    }
    if (pass && gc != null) {
      requestPass(gc);
    }
  }

  /**
   * Asks the garbage collector for one pass on the shared compaction threads; before the roles are
   * open, opens them now (on the opener thread) and runs the pass after.
   */
  void requestGc() {
    synchronized (this) {
      if (closed) {
        return;
      }
      if (!opened) {
        if (settings.gc() && !gcRequested) {
          gcRequested = true;
          if (pending != null && pending.cancel(false)) {
            pending = OPENER.schedule(this::openLater, 0, TimeUnit.NANOSECONDS);
          }
        }
        return;
      }
    }
    for (AutoCloseable role : roles) {
      if (role instanceof GarbageCollector gc) {
        requestPass(gc);
      }
    }
  }

  private static void requestPass(GarbageCollector gc) {
    try {
      gc.requestPass();
    } catch (io.isledb.IsleException e) {
      // closed meanwhile (the backend is being disposed): nothing to collect for
    }
  }

  /** Stops the roles (or their pending open, waiting for one under way); never throws. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (pending != null) {
        pending.cancel(false);
      }
      boolean interrupted = false;
      while (opening) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    closeQuietly(roles);
  }

  private static void closeQuietly(List<AutoCloseable> list) {
    for (AutoCloseable c : list) {
      try {
        c.close();
      } catch (Exception ignored) {
        // a maintenance role that fails to stop holds nothing the writer needs
      }
    }
  }
}
