package io.isledb.db;

import io.isledb.DBOptions;
import io.isledb.ForkSource;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.PinOptions;
import io.isledb.manifest.Edit;
import io.isledb.manifest.ForkState;
import io.isledb.manifest.ManifestAppender;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.Role;
import io.isledb.manifest.SortedRun;
import io.isledb.manifest.SourcePin;
import io.isledb.manifest.SstMeta;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a fork (docs/PROTOCOL.md section 9, "Creating a fork"): pins every source, then appends
 * the fork's fence and {@code fork} edit, all before a deadline of half the grace period after the
 * first pin, so that a source's GC that finds a pin its fork does not list a grace period later
 * knows the fork edit will never come.
 */
@Internal
public final class ForkCreation {
  private static final Logger LOG = LoggerFactory.getLogger(ForkCreation.class);

  private ForkCreation() {}

  /** Creates the fork on {@code target}; returns its first version. */
  public static long create(ObjectStore target, List<ForkSource> sources, DBOptions options) {
    if (sources == null || sources.isEmpty()) {
      throw IsleException.invalidArgument("a fork needs at least one source");
    }
    DbContext ctx = new DbContext(target, options);
    try {
      return create(ctx, sources);
    } finally {
      ctx.manifestStore().close();
    }
  }

  /** Creates the fork on {@code ctx}'s database; its sources are {@code ctx}'s siblings. */
  public static long create(DbContext ctx, List<ForkSource> sources) {
    if (sources == null || sources.isEmpty()) {
      throw IsleException.invalidArgument("a fork needs at least one source");
    }
    ObjectStore target = ctx.store();
    DBOptions options = ctx.options();
    String targetPrefix = target.prefix();
    checkSources(targetPrefix, sources);
    String forkId = ctx.newId();
    String pinName = ForkPins.NAME_PREFIX + forkId;
    String owner = ForkPins.OWNER_PREFIX + targetPrefix;
    long start = ctx.clock().millis();
    long deadline = start + options.gcGracePeriod().toMillis() / 2;
    // The target first: refusing a prefix with data must not leave pins behind.
    ManifestAppender appender = ctx.appender(Role.WRITER, "fork-" + forkId);
    checkEmpty(target, appender.head());

    List<SstMeta> l0 = new ArrayList<>();
    List<SortedRun> runs = new ArrayList<>();
    List<SourcePin> pins = new ArrayList<>();
    Map<String, String> seen = new HashMap<>(); // table id -> source prefix
    Map<String, String> properties = null;
    long lastSeq = 0;
    List<ManifestState> pinned = pinAll(ctx, sources, pinName, owner);
    for (int i = 0; i < sources.size(); i++) {
      ForkSource src = sources.get(i);
      ManifestState st = pinned.get(i);
      lastSeq = Math.max(lastSeq, st.lastSeq());
      if (properties == null) {
        properties = st.commits().properties();
      }
      Set<String> homes = new LinkedHashSet<>();
      homes.add(src.prefix());
      for (SstMeta t : st.l0()) {
        SstMeta b = borrow(t, src, seen);
        if (b != null) {
          l0.add(b);
          homes.add(b.home());
        }
      }
      for (SortedRun r : st.runs()) {
        List<SstMeta> kept = new ArrayList<>();
        for (SstMeta t : r.tables()) {
          SstMeta b = borrow(t, src, seen);
          if (b != null) {
            kept.add(b);
            homes.add(b.home());
          }
        }
        if (!kept.isEmpty()) {
          runs.add(new SortedRun(runs.size() + 1, kept));
        }
      }
      pins.add(new SourcePin(src.prefix(), pinName, st.seq(), List.copyOf(homes)));
    }
    ManifestState state = ForkState.of(l0, runs, lastSeq, properties, pins);
    if (ctx.clock().millis() > deadline) {
      throw IsleException.unavailable(
          "creating the fork "
              + target.location()
              + " took longer than half the grace period; its pins "
              + pinName
              + " on the sources are removed by their GC",
          null);
    }
    appender.fence();
    ManifestAppender.Appended a =
        appender.append(
            head -> {
              SourcePin mine = head.commits().sources().get(sources.get(0).prefix());
              if (mine != null && mine.pin().equals(pinName)) {
                return Optional.empty(); // an earlier, ambiguous attempt landed
              }
              return Optional.of(new Edit.Fork(state));
            },
            null,
            () -> deadline);
    LOG.info(
        "created the fork {} at version {} from {} sources ({} tables)",
        target.location(),
        a.version(),
        sources.size(),
        state.allTables().size());
    return a.version();
  }

  private static void checkSources(String targetPrefix, List<ForkSource> sources) {
    Set<String> prefixes = new LinkedHashSet<>();
    for (ForkSource s : sources) {
      if (s == null) {
        throw IsleException.invalidArgument("a fork source is null");
      }
      if (s.prefix().equals(targetPrefix)) {
        throw IsleException.invalidArgument(
            "a fork cannot borrow from its own prefix " + targetPrefix);
      }
      if (!prefixes.add(s.prefix())) {
        throw IsleException.invalidArgument(
            "the source " + s.prefix() + " appears twice; give each source one key range");
      }
    }
    List<ForkSource> sorted = new ArrayList<>(sources);
    sorted.sort(
        Comparator.comparing(ForkSource::from, Comparator.nullsFirst(Arrays::compareUnsigned)));
    for (int i = 1; i < sorted.size(); i++) {
      byte[] prevTo = sorted.get(i - 1).to();
      byte[] from = sorted.get(i).from();
      if (prevTo == null || from == null || Arrays.compareUnsigned(prevTo, from) > 0) {
        throw IsleException.invalidArgument(
            "the key ranges of the fork sources "
                + sorted.get(i - 1).prefix()
                + " and "
                + sorted.get(i).prefix()
                + " overlap");
      }
    }
  }

  private static void checkEmpty(ObjectStore target, ManifestState head) {
    if (!head.allTables().isEmpty() || head.lastSeq() != 0 || !head.commits().sources().isEmpty()) {
      throw IsleException.invalidArgument(
          "cannot create a fork at "
              + target.location()
              + ": a database with data exists there (version "
              + head.seq()
              + ")");
    }
  }

  /** {@code t} as the fork sees it, or null if none of its keys are in the source's range. */
  private static SstMeta borrow(SstMeta t, ForkSource src, Map<String, String> seen) {
    if (!t.mayOverlap(src.from(), src.to())) {
      return null;
    }
    String other = seen.putIfAbsent(t.id(), src.prefix());
    if (other != null) {
      throw IsleException.invalidArgument(
          "the sources "
              + other
              + " and "
              + src.prefix()
              + " both borrow table "
              + t.id()
              + " from "
              + t.home()
              + "; compact them first (CompactorOptions.rewriteBorrowed)");
    }
    return t.borrowedAs(src.prefix(), src.from(), src.to());
  }

  /** Sources pinned at once by one fork creation. */
  private static final int MAX_CONCURRENT_PINS = 8;

  /**
   * Pins every source ({@link #pinSource}), concurrently when there are several: each pin costs one
   * or two round trips and they are independent, while a restoring Flink task waits for all of
   * them. Returns the pinned states in the sources' order. A failure leaves the pins already
   * written, as one part way through a sequential loop would: their sources' GC removes pins whose
   * fork never came to be (PROTOCOL.md section 9).
   */
  private static List<ManifestState> pinAll(
      DbContext ctx, List<ForkSource> sources, String pinName, String owner) {
    if (sources.size() == 1) {
      ForkSource s = sources.get(0);
      return List.of(pinSource(ctx.sibling(s.prefix()), s, pinName, owner));
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(sources.size(), MAX_CONCURRENT_PINS),
            io.isledb.util.Threads.daemon("isledb-fork-pin " + ctx.store().location()));
    try {
      List<Future<ManifestState>> pins = new ArrayList<>();
      for (ForkSource s : sources) {
        pins.add(pool.submit(() -> pinSource(ctx.sibling(s.prefix()), s, pinName, owner)));
      }
      List<ManifestState> out = new ArrayList<>();
      for (Future<ManifestState> f : pins) {
        out.add(join(f, pins));
      }
      return out;
    } finally {
      pool.shutdown(); // idle once every pin returned or failed
    }
  }

  private static ManifestState join(Future<ManifestState> f, List<Future<ManifestState>> all) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      all.forEach(x -> x.cancel(true));
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw IsleException.internal("pinning a fork source failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      all.forEach(x -> x.cancel(true));
      throw IsleException.unavailable("interrupted while pinning the fork's sources", e);
    }
  }

  /** Pins the source's version under {@code pinName}; returns the pinned state. */
  private static ManifestState pinSource(
      DbContext src, ForkSource s, String pinName, String owner) {
    if (s.pin() == null) {
      return Pins.pin(src, pinName, s.version(), false, PinOptions.defaults().withOwner(owner));
    }
    // Copy an existing version pin: accepted if the copy is visible within half a grace period of
    // the read that found the original, which every GC pass since then honoured.
    long readAt = src.clock().millis();
    ManifestCodec.Pin via =
        Pins.get(src.manifestStore(), s.pin())
            .orElseThrow(
                () ->
                    IsleException.invalidArgument(
                        "fork source " + s.prefix() + " has no pin " + s.pin()));
    if (via.history()) {
      throw IsleException.invalidArgument(
          "the pin "
              + s.pin()
              + " of "
              + s.prefix()
              + " is a history pin; a fork needs a version pin");
    }
    if (via.expires() && via.expiresAtMillis() <= readAt) {
      throw IsleException.invalidArgument(
          "the pin " + s.pin() + " of " + s.prefix() + " has expired");
    }
    String object = ManifestPaths.pin(pinName);
    long putStart = src.clock().millis();
    src.manifestStore()
        .put(
            object,
            ManifestCodec.encodePin(
                new ManifestCodec.Pin(
                    pinName,
                    via.version(),
                    putStart,
                    via.state(),
                    owner,
                    ManifestCodec.Pin.NEVER)));
    long took = src.clock().millis() - readAt;
    if (took >= src.options().gcGracePeriod().toMillis() / 2) {
      src.manifestStore().delete(object);
      throw IsleException.unavailable(
          "copying the pin "
              + s.pin()
              + " of "
              + s.prefix()
              + " took "
              + took
              + " ms, more than half the grace period; retry",
          null);
    }
    return via.state();
  }
}
