package io.isledb.db.compaction;

import io.isledb.RetentionCompactor;
import io.isledb.RetentionCompactorOptions;
import io.isledb.RetentionResult;
import io.isledb.db.DbContext;
import io.isledb.db.Resource;
import io.isledb.db.RoleLifecycle;
import io.isledb.manifest.Edit;
import io.isledb.manifest.ManifestAppender;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.Role;
import io.isledb.manifest.SstMeta;
import io.isledb.util.Internal;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The retention compactor (role {@code retention}): one {@code drop} edit per pass. */
@Internal
public final class DbRetentionCompactor implements RetentionCompactor, Resource {
  private static final Logger LOG = LoggerFactory.getLogger(DbRetentionCompactor.class);

  private final DbContext ctx;
  private final RetentionCompactorOptions options;
  private final ManifestAppender appender;
  private final ScheduledExecutorService executor;
  private final RoleLifecycle life;

  public DbRetentionCompactor(DbContext ctx, RetentionCompactorOptions options) {
    this.ctx = ctx;
    this.options = options;
    this.appender = ctx.appender(Role.RETENTION, "retention-" + ctx.newId());
    appender.fence();
    this.life = new RoleLifecycle("retention compactor of " + ctx.store().location());
    this.executor =
        ctx.resources().compactionScheduler("isledb-retention " + ctx.store().location(), 1);
  }

  @Override
  public synchronized void start() {
    life.startLoop(
        executor, options.interval(), "retention of " + ctx.store().location(), this::runOnce);
  }

  @Override
  public synchronized Optional<RetentionResult> runOnce() {
    life.checkOpen();
    appender.refresh();
    long now = ctx.clock().millis();
    long[] dropped = new long[2];
    long[] lsn = {-1};
    ManifestAppender.Appended a =
        appender.append(
            state -> {
              List<SstMeta> drop = RetentionPolicy.pick(state, options, now);
              if (drop.isEmpty()) {
                return Optional.empty();
              }
              dropped[0] = drop.size();
              dropped[1] = drop.stream().mapToLong(SstMeta::size).sum();
              lsn[0] = lowWatermark(state, drop);
              return Optional.of(
                  new Edit.DropTables(drop.stream().map(SstMeta::id).toList(), lsn[0]));
            },
            null);
    if (a.duplicate()) {
      return Optional.empty();
    }
    LOG.info(
        "retention dropped {} tables ({} bytes) at version {}",
        dropped[0],
        dropped[1],
        a.version());
    return Optional.of(new RetentionResult(a.version(), (int) dropped[0], dropped[1], lsn[0]));
  }

  /**
   * The smallest LSN still held by the remaining tables (or one past the newest if none remain).
   */
  private long lowWatermark(ManifestState state, List<SstMeta> drop) {
    if (ctx.options().lsnExtractor() == null) {
      return -1;
    }
    Set<String> gone = new HashSet<>();
    drop.forEach(t -> gone.add(t.id()));
    long low = Long.MAX_VALUE;
    for (SstMeta t : state.allTables()) {
      if (!gone.contains(t.id())) {
        OptionalLong l = ctx.options().lsnExtractor().extract(t.smallestKey());
        if (l.isPresent()) {
          low = Math.min(low, l.getAsLong());
        }
      }
    }
    if (low == Long.MAX_VALUE) {
      return state.maxCommittedLsn() >= 0 ? state.maxCommittedLsn() + 1 : -1;
    }
    return low;
  }

  @Override
  public boolean isClosed() {
    return life.isClosed();
  }

  @Override
  public void close() {
    if (life.markClosed()) {
      executor.shutdownNow();
    }
  }
}
