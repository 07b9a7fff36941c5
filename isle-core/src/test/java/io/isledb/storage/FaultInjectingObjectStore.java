package io.isledb.storage;

import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.ObjectUpload;
import io.isledb.RequestStats;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ObjectStore} decorator that injects the failures real object stores produce, for tests
 * of the code above the storage layer:
 *
 * <ul>
 *   <li><b>errors</b>: an operation fails with {@link IsleException.Kind#UNAVAILABLE} before
 *       reaching the store, with a per-operation probability;
 *   <li><b>latency</b>: a per-operation delay, through an injectable {@link Sleeper} so tests need
 *       not really sleep;
 *   <li><b>lost responses</b>: a write (put, createIfAbsent, upload completion, delete) is
 *       performed and then reported as UNAVAILABLE, as when a response is lost after the write
 *       landed;
 *   <li><b>late writes</b>: a write (put, createIfAbsent, upload completion) fails for the caller
 *       as a timeout, without reaching the store, but stays in flight and is applied later: when
 *       the test calls {@link #deliverLateWrites()}, or on its own just before the Nth later
 *       operation through this store ({@link Builder#lateWritesLandAfter}). This is the request
 *       that "failed, then landed": a late put replaces whatever was written meanwhile, a late
 *       createIfAbsent takes its slot if it is still free;
 *   <li><b>lagging listings</b>: {@link #list} misses objects written through this store in the
 *       last N milliseconds and/or among its last K writes.
 * </ul>
 *
 * <p>Probabilistic faults draw from one {@link Random} seeded with {@link Builder#seed} (or a
 * random seed, logged at INFO); {@link #seed()} returns it so a failing test can print it and be
 * replayed. Deterministic one-shot faults ({@link #failNext}, {@link #loseNextResponses}, {@link
 * #delayNextWrites}) can be scheduled at any time. {@link #injected(Fault)} counts what was
 * injected.
 *
 * <pre>{@code
 * FaultInjectingObjectStore store = FaultInjectingObjectStore.builder(real)
 *     .seed(42)
 *     .errors(Operation.GET, 0.1)
 *     .lostResponses(Operation.CREATE_IF_ABSENT, 0.05)
 *     .hideLastWrites(3)
 *     .build();
 * }</pre>
 */
public final class FaultInjectingObjectStore implements ObjectStore {
  private static final Logger LOG = LoggerFactory.getLogger(FaultInjectingObjectStore.class);

  /** The operations faults can be configured for. */
  public enum Operation {
    GET,
    GET_RANGE,
    PUT,
    CREATE_IF_ABSENT,
    /** {@link ObjectUpload#complete()} of a streaming upload. */
    UPLOAD,
    STAT,
    LIST,
    DELETE,
    DELETE_ALL
  }

  /** The kinds of injected fault, for {@link #injected(Fault)}. */
  public enum Fault {
    ERROR,
    LATENCY,
    LOST_RESPONSE,
    /** A write reported as failed (timed out) that stays in flight and lands later. */
    LATE_WRITE,
    /** One object left out of one listing. */
    HIDDEN_FROM_LISTING
  }

  /** Waits for injected latency; tests pass one that records instead of sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;

    /** Really sleeps. */
    Sleeper REAL = d -> Thread.sleep(d.toMillis(), (int) (d.toNanosPart() % 1_000_000));
  }

  private final ObjectStore delegate;
  private final long seed;
  private final Random random;
  private final Map<Operation, Double> errorProbability;
  private final Map<Operation, Double> lostResponseProbability;
  private final Map<Operation, Double> lateWriteProbability;
  private final int lateWritesLandAfter;
  private final Map<Operation, Duration> latency;
  private final Sleeper sleeper;
  private final Clock clock;
  private final Duration hideWrittenWithin;
  private final int hideLastWrites;
  private final EnumMap<Operation, Integer> scheduledErrors = new EnumMap<>(Operation.class);

  /** {@link #failNext(Operation, int, Predicate)}: faults for some names only; guarded by this. */
  private final List<NamedFaults> scheduledNamedErrors = new ArrayList<>();

  private final EnumMap<Operation, Integer> scheduledLosses = new EnumMap<>(Operation.class);
  private final EnumMap<Operation, Integer> scheduledLate = new EnumMap<>(Operation.class);

  /** Late writes not applied yet, oldest first; guarded by {@code this}. */
  private final Deque<LateWrite> inFlight = new ArrayDeque<>();

  /** Operations started through this store, the clock of {@link Builder#lateWritesLandAfter}. */
  private long operations;

  private final LongAdder lateWritesDelivered = new LongAdder();
  private final EnumMap<Fault, LongAdder> injected = new EnumMap<>(Fault.class);
  private final Map<String, Long> writtenAtMillis = new HashMap<>();
  private final Deque<String> lastWrites = new ArrayDeque<>();

  private FaultInjectingObjectStore(Builder b) {
    this.delegate = b.delegate;
    this.seed = b.seed != null ? b.seed : new Random().nextLong();
    if (b.seed == null) {
      LOG.info("fault injection over {} uses random seed {}", delegate.location(), seed);
    }
    this.random = new Random(seed);
    this.errorProbability = Map.copyOf(b.errorProbability);
    this.lostResponseProbability = Map.copyOf(b.lostResponseProbability);
    this.lateWriteProbability = Map.copyOf(b.lateWriteProbability);
    this.lateWritesLandAfter = b.lateWritesLandAfter;
    this.latency = Map.copyOf(b.latency);
    this.sleeper = b.sleeper;
    this.clock = b.clock;
    this.hideWrittenWithin = b.hideWrittenWithin;
    this.hideLastWrites = b.hideLastWrites;
    for (Fault f : Fault.values()) {
      injected.put(f, new LongAdder());
    }
  }

  /** Starts configuring faults over {@code delegate}; nothing is injected by default. */
  public static Builder builder(ObjectStore delegate) {
    return new Builder(delegate);
  }

  /** Settings of a {@link FaultInjectingObjectStore}. */
  public static final class Builder {
    private final ObjectStore delegate;
    private Long seed;
    private final Map<Operation, Double> errorProbability = new EnumMap<>(Operation.class);
    private final Map<Operation, Double> lostResponseProbability = new EnumMap<>(Operation.class);
    private final Map<Operation, Double> lateWriteProbability = new EnumMap<>(Operation.class);
    private int lateWritesLandAfter;
    private final Map<Operation, Duration> latency = new EnumMap<>(Operation.class);
    private Sleeper sleeper = Sleeper.REAL;
    private Clock clock = Clock.systemUTC();
    private Duration hideWrittenWithin = Duration.ZERO;
    private int hideLastWrites;

    private Builder(ObjectStore delegate) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The seed of every probabilistic decision; without it a random seed is drawn and logged. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Fails {@code op} with UNAVAILABLE, before it reaches the store, with this probability. */
    public Builder errors(Operation op, double probability) {
      errorProbability.put(op, checkProbability(probability));
      return this;
    }

    /**
     * Performs the write {@code op} and then reports UNAVAILABLE with this probability. Only for
     * PUT, CREATE_IF_ABSENT, UPLOAD, DELETE and DELETE_ALL.
     */
    public Builder lostResponses(Operation op, double probability) {
      lostResponseProbability.put(checkWrite(op), checkProbability(probability));
      return this;
    }

    /**
     * Fails the write {@code op} with UNAVAILABLE (a timeout) with this probability, without
     * reaching the store, and keeps it in flight to land later (see {@link #deliverLateWrites()}
     * and {@link #lateWritesLandAfter}). Only for PUT, CREATE_IF_ABSENT and UPLOAD.
     */
    public Builder lateWrites(Operation op, double probability) {
      lateWriteProbability.put(checkLateWrite(op), checkProbability(probability));
      return this;
    }

    /**
     * Late writes land on their own just before the {@code n}th operation through this store after
     * the one that failed (any operation counts, reads included), so a run needs no explicit {@link
     * #deliverLateWrites()}. {@code 0} (the default): they land only when delivered.
     */
    public Builder lateWritesLandAfter(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("n must not be negative: " + n);
      }
      this.lateWritesLandAfter = n;
      return this;
    }

    /** Delays every {@code op} by {@code delay} (through the {@link #sleeper}). */
    public Builder latency(Operation op, Duration delay) {
      if (delay.isNegative()) {
        throw new IllegalArgumentException("latency must not be negative: " + delay);
      }
      latency.put(op, delay);
      return this;
    }

    /** How latency is waited for; default {@link Sleeper#REAL}. */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper);
      return this;
    }

    /** The clock behind {@link #hideWrittenWithin}; default the system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** Listings miss objects written through this store less than {@code window} ago. */
    public Builder hideWrittenWithin(Duration window) {
      this.hideWrittenWithin = Objects.requireNonNull(window);
      return this;
    }

    /** Listings miss the objects of the last {@code k} writes made through this store. */
    public Builder hideLastWrites(int k) {
      if (k < 0) {
        throw new IllegalArgumentException("k must not be negative: " + k);
      }
      this.hideLastWrites = k;
      return this;
    }

    public FaultInjectingObjectStore build() {
      return new FaultInjectingObjectStore(this);
    }

    private static double checkProbability(double p) {
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException("probability must be in [0, 1]: " + p);
      }
      return p;
    }
  }

  private static Operation checkWrite(Operation op) {
    switch (op) {
      case PUT, CREATE_IF_ABSENT, UPLOAD, DELETE, DELETE_ALL -> {
        return op;
      }
      default ->
          throw new IllegalArgumentException(
              "a lost response needs a write that lands; " + op + " is not a write");
    }
  }

  private static Operation checkLateWrite(Operation op) {
    switch (op) {
      case PUT, CREATE_IF_ABSENT, UPLOAD -> {
        return op;
      }
      default ->
          throw new IllegalArgumentException(
              "a late write needs a put, createIfAbsent or upload; " + op + " is not one");
    }
  }

  /** The seed of the probabilistic faults, to print in assertion messages and replay a run. */
  public long seed() {
    return seed;
  }

  /** How many faults of {@code kind} were injected so far. */
  public long injected(Fault kind) {
    return injected.get(kind).sum();
  }

  /**
   * Whether {@code e} is a failure this store injected, as the engine reports it: UNAVAILABLE, with
   * the injection named somewhere in its cause chain.
   */
  public static boolean isInjectedFailure(Throwable e) {
    if (!(e instanceof io.isledb.IsleException ie)
        || ie.kind() != io.isledb.IsleException.Kind.UNAVAILABLE) {
      return false;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (String.valueOf(t.getMessage()).contains("injected fault")) {
        return true;
      }
    }
    return false;
  }

  /** All injected faults so far. */
  public long injectedTotal() {
    return injected.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** The next {@code times} calls of {@code op} fail before reaching the store. */
  public synchronized FaultInjectingObjectStore failNext(Operation op, int times) {
    scheduledErrors.merge(op, times, Integer::sum);
    return this;
  }

  /**
   * The next {@code times} calls of {@code op} on an object whose name matches {@code names} fail
   * before reaching the store; calls on other names are not counted. For a test that means one
   * object ("the upload of this table"), where a plain {@link #failNext(Operation, int)} could be
   * taken by whichever request of another thread comes first.
   */
  public synchronized FaultInjectingObjectStore failNext(
      Operation op, int times, Predicate<String> names) {
    scheduledNamedErrors.add(new NamedFaults(op, Objects.requireNonNull(names), times));
    return this;
  }

  /** Scheduled errors for the names {@code names} matches, {@code left} of them still to inject. */
  private static final class NamedFaults {
    final Operation op;
    final Predicate<String> names;
    int left;

    NamedFaults(Operation op, Predicate<String> names, int left) {
      this.op = op;
      this.names = names;
      this.left = left;
    }
  }

  private synchronized boolean decideNamed(Operation op, String name) {
    for (NamedFaults f : scheduledNamedErrors) {
      if (f.op == op && f.left > 0 && f.names.test(name)) {
        f.left--;
        return true;
      }
    }
    return false;
  }

  /** The next {@code times} calls of the write {@code op} land, then report UNAVAILABLE. */
  public synchronized FaultInjectingObjectStore loseNextResponses(Operation op, int times) {
    scheduledLosses.merge(checkWrite(op), times, Integer::sum);
    return this;
  }

  /**
   * The next {@code times} calls of the write {@code op} (PUT, CREATE_IF_ABSENT, or the completion
   * of an UPLOAD started after this call) fail as timeouts and stay in flight, landing later.
   */
  public synchronized FaultInjectingObjectStore delayNextWrites(Operation op, int times) {
    scheduledLate.merge(checkLateWrite(op), times, Integer::sum);
    return this;
  }

  /** Late writes that have not landed yet. */
  public synchronized int pendingLateWrites() {
    return inFlight.size();
  }

  /** Late writes that have landed so far. */
  public long deliveredLateWrites() {
    return lateWritesDelivered.sum();
  }

  /**
   * Applies every late write still in flight to the store, oldest first, and returns how many. A
   * late put replaces the object whatever was written since; a late createIfAbsent lands only if
   * the name is still free; a late upload replaces like a put. Failures of the store propagate.
   */
  public int deliverLateWrites() {
    int n = 0;
    for (LateWrite w; (w = nextLateWrite(Long.MAX_VALUE)) != null; n++) {
      land(w);
    }
    return n;
  }

  /**
   * Applies the oldest late write to {@code name} still in flight; false if there is none. Lets a
   * test land one specific write at the moment it chooses.
   */
  public boolean deliverLateWrite(String name) {
    LateWrite w;
    synchronized (this) {
      w = inFlight.stream().filter(x -> x.name.equals(name)).findFirst().orElse(null);
      if (w == null) {
        return false;
      }
      inFlight.remove(w);
    }
    land(w);
    return true;
  }

  /** A write that failed for its caller and will land later. */
  private record LateWrite(Operation op, String name, byte[] data, long landsAfterOperation) {}

  private synchronized LateWrite nextLateWrite(long operation) {
    LateWrite first = inFlight.peekFirst();
    if (first == null || first.landsAfterOperation > operation) {
      return null;
    }
    return inFlight.pollFirst();
  }

  private void land(LateWrite w) {
    switch (w.op) {
      case PUT -> delegate.put(w.name, w.data);
      case CREATE_IF_ABSENT -> {
        if (!delegate.createIfAbsent(w.name, w.data)) {
          LOG.debug("late createIfAbsent of {} found the name taken", where(w.name));
        }
      }
      case UPLOAD -> {
        try (ObjectUpload up = delegate.startUpload(w.name)) {
          up.write(w.data);
          up.complete();
        }
      }
      default -> throw new AssertionError(w.op);
    }
    recordWrite(w.name);
    lateWritesDelivered.increment();
  }

  /** Counts one operation and lands the late writes whose turn has come. */
  private void tick() {
    long now;
    synchronized (this) {
      now = ++operations;
      if (inFlight.isEmpty() || lateWritesLandAfter == 0) {
        return;
      }
    }
    for (LateWrite w; (w = nextLateWrite(now)) != null; ) {
      try {
        land(w);
      } catch (IsleException e) {
        // The in-flight request gave up in the end; nobody was waiting for its answer.
        LOG.warn("late {} of {} did not land: {}", w.op, where(w.name), e.toString());
      }
    }
  }

  /**
   * Whether this write fails for its caller and is kept to land later; if so it is queued (with a
   * copy of {@code data}) and the caller's exception is returned.
   */
  private IsleException delayed(Operation op, String name, byte[] data) {
    if (!decide(scheduledLate, lateWriteProbability, op)) {
      return null;
    }
    injected.get(Fault.LATE_WRITE).increment();
    synchronized (this) {
      long landsAfter =
          lateWritesLandAfter == 0 ? Long.MAX_VALUE : operations + lateWritesLandAfter;
      inFlight.addLast(new LateWrite(op, name, data.clone(), landsAfter));
    }
    return IsleException.unavailable(
        "injected fault: "
            + op
            + " of "
            + where(name)
            + " timed out; the request is still in flight and may land later (seed "
            + seed
            + ")",
        null);
  }

  /** Whether uploads started now must keep their bytes, because their completion may be late. */
  private synchronized boolean uploadsMayBeLate() {
    return lateWriteProbability.getOrDefault(Operation.UPLOAD, 0.0) > 0
        || scheduledLate.getOrDefault(Operation.UPLOAD, 0) > 0;
  }

  /** The wrapped store. */
  public ObjectStore delegate() {
    return delegate;
  }

  // ---------------------------------------------------------------- fault decisions

  private synchronized boolean decide(
      EnumMap<Operation, Integer> scheduled, Map<Operation, Double> probabilities, Operation op) {
    Integer left = scheduled.get(op);
    if (left != null && left > 0) {
      scheduled.put(op, left - 1);
      return true;
    }
    double p = probabilities.getOrDefault(op, 0.0);
    // Draw only for configured operations, so adding faults to one operation does not shift the
    // sequence of decisions for the others.
    return p > 0 && random.nextDouble() < p;
  }

  private void before(Operation op, String target) {
    tick();
    Duration d = latency.get(op);
    if (d != null && !d.isZero()) {
      injected.get(Fault.LATENCY).increment();
      try {
        sleeper.sleep(d);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw IsleException.unavailable("interrupted during injected latency of " + op, e);
      }
    }
    if (decideNamed(op, target) || decide(scheduledErrors, errorProbability, op)) {
      injected.get(Fault.ERROR).increment();
      throw IsleException.unavailable(
          "injected fault: " + op + " of " + where(target) + " failed (seed " + seed + ")", null);
    }
  }

  private void after(Operation op, String target) {
    if (decide(scheduledLosses, lostResponseProbability, op)) {
      injected.get(Fault.LOST_RESPONSE).increment();
      throw IsleException.unavailable(
          "injected fault: the response to "
              + op
              + " of "
              + where(target)
              + " was lost after the write landed (seed "
              + seed
              + ")",
          null);
    }
  }

  private <T> T call(Operation op, String target, Supplier<T> action) {
    before(op, target);
    T result = action.get();
    after(op, target);
    return result;
  }

  private String where(String name) {
    return delegate.location() + name;
  }

  private void recordWrite(String name) {
    if (hideLastWrites == 0 && hideWrittenWithin.isZero()) {
      return;
    }
    synchronized (lastWrites) {
      writtenAtMillis.put(name, clock.millis());
      lastWrites.remove(name);
      lastWrites.addLast(name);
      while (lastWrites.size() > hideLastWrites) {
        lastWrites.removeFirst();
      }
    }
  }

  private boolean hidden(String name, long now) {
    synchronized (lastWrites) {
      if (lastWrites.contains(name)) {
        return true;
      }
      Long at = writtenAtMillis.get(name);
      return at != null && now - at < hideWrittenWithin.toMillis();
    }
  }

  // ---------------------------------------------------------------- ObjectStore

  @Override
  public String location() {
    return delegate.location();
  }

  @Override
  public Optional<byte[]> get(String name) {
    return call(Operation.GET, name, () -> delegate.get(name));
  }

  @Override
  public Optional<byte[]> getRange(String name, long offset, int length) {
    return call(Operation.GET_RANGE, name, () -> delegate.getRange(name, offset, length));
  }

  @Override
  public Optional<byte[]> getRange(String name, long objectSize, long offset, int length) {
    return call(
        Operation.GET_RANGE, name, () -> delegate.getRange(name, objectSize, offset, length));
  }

  @Override
  public void put(String name, byte[] data) {
    before(Operation.PUT, name);
    IsleException late = delayed(Operation.PUT, name, data);
    if (late != null) {
      throw late;
    }
    delegate.put(name, data);
    recordWrite(name);
    after(Operation.PUT, name);
  }

  @Override
  public boolean createIfAbsent(String name, byte[] data) {
    before(Operation.CREATE_IF_ABSENT, name);
    IsleException late = delayed(Operation.CREATE_IF_ABSENT, name, data);
    if (late != null) {
      throw late;
    }
    boolean created = delegate.createIfAbsent(name, data);
    if (created) {
      recordWrite(name);
    }
    after(Operation.CREATE_IF_ABSENT, name);
    return created;
  }

  @Override
  public ObjectUpload startUpload(String name) {
    tick();
    ObjectUpload inner = delegate.startUpload(name);
    // Only kept when the completion may be late: it is replayed from these bytes when it lands.
    java.io.ByteArrayOutputStream kept =
        uploadsMayBeLate() ? new java.io.ByteArrayOutputStream() : null;
    return new ObjectUpload() {
      @Override
      public void write(byte[] data, int offset, int length) {
        inner.write(data, offset, length);
        if (kept != null) {
          kept.write(data, offset, length);
        }
      }

      @Override
      public long position() {
        return inner.position();
      }

      @Override
      public long complete() {
        try {
          before(Operation.UPLOAD, name);
        } catch (IsleException e) {
          inner.close(); // the failed upload is abandoned, as a real failure would leave it
          throw e;
        }
        if (kept != null) {
          IsleException late = delayed(Operation.UPLOAD, name, kept.toByteArray());
          if (late != null) {
            inner.close(); // what lands later is the kept copy
            throw late;
          }
        }
        long size = inner.complete();
        recordWrite(name);
        after(Operation.UPLOAD, name);
        return size;
      }

      @Override
      public void close() {
        inner.close();
      }
    };
  }

  @Override
  public Optional<ObjectInfo> stat(String name) {
    return call(Operation.STAT, name, () -> delegate.stat(name));
  }

  @Override
  public Iterator<ObjectInfo> list(String namePrefix) {
    Iterator<ObjectInfo> inner = call(Operation.LIST, namePrefix, () -> delegate.list(namePrefix));
    if (hideLastWrites == 0 && hideWrittenWithin.isZero()) {
      return inner;
    }
    long now = clock.millis();
    List<ObjectInfo> visible = new ArrayList<>();
    while (inner.hasNext()) {
      ObjectInfo info = inner.next();
      if (hidden(info.name(), now)) {
        injected.get(Fault.HIDDEN_FROM_LISTING).increment();
      } else {
        visible.add(info);
      }
    }
    return visible.iterator();
  }

  @Override
  public void delete(String name) {
    before(Operation.DELETE, name);
    delegate.delete(name);
    after(Operation.DELETE, name);
  }

  @Override
  public void deleteAll(Collection<String> names) {
    String what = names.size() + " objects";
    before(Operation.DELETE_ALL, what);
    delegate.deleteAll(names);
    after(Operation.DELETE_ALL, what);
  }

  @Override
  public int deleteAbandonedTemporaries(String namePrefix, long olderThanMillis) {
    before(Operation.LIST, namePrefix);
    return delegate.deleteAbandonedTemporaries(namePrefix, olderThanMillis);
  }

  @Override
  public void checkAtomicCreate() {
    delegate.checkAtomicCreate();
  }

  @Override
  public boolean hasAtomicCreateIfAbsent() {
    return delegate.hasAtomicCreateIfAbsent();
  }

  @Override
  public RequestStats stats() {
    return delegate.stats();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
