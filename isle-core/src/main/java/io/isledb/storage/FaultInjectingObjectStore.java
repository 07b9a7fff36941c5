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
 *   <li><b>lagging listings</b>: {@link #list} misses objects written through this store in the
 *       last N milliseconds and/or among its last K writes.
 * </ul>
 *
 * <p>Probabilistic faults draw from one {@link Random} seeded with {@link Builder#seed} (or a
 * random seed, logged at INFO); {@link #seed()} returns it so a failing test can print it and be
 * replayed. Deterministic one-shot faults ({@link #failNext}, {@link #loseNextResponses}) can be
 * scheduled at any time. {@link #injected(Fault)} counts what was injected.
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
  private final Map<Operation, Duration> latency;
  private final Sleeper sleeper;
  private final Clock clock;
  private final Duration hideWrittenWithin;
  private final int hideLastWrites;
  private final EnumMap<Operation, Integer> scheduledErrors = new EnumMap<>(Operation.class);
  private final EnumMap<Operation, Integer> scheduledLosses = new EnumMap<>(Operation.class);
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

  /** The seed of the probabilistic faults, to print in assertion messages and replay a run. */
  public long seed() {
    return seed;
  }

  /** How many faults of {@code kind} were injected so far. */
  public long injected(Fault kind) {
    return injected.get(kind).sum();
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

  /** The next {@code times} calls of the write {@code op} land, then report UNAVAILABLE. */
  public synchronized FaultInjectingObjectStore loseNextResponses(Operation op, int times) {
    scheduledLosses.merge(checkWrite(op), times, Integer::sum);
    return this;
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
    if (decide(scheduledErrors, errorProbability, op)) {
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
    delegate.put(name, data);
    recordWrite(name);
    after(Operation.PUT, name);
  }

  @Override
  public boolean createIfAbsent(String name, byte[] data) {
    before(Operation.CREATE_IF_ABSENT, name);
    boolean created = delegate.createIfAbsent(name, data);
    if (created) {
      recordWrite(name);
    }
    after(Operation.CREATE_IF_ABSENT, name);
    return created;
  }

  @Override
  public ObjectUpload startUpload(String name) {
    ObjectUpload inner = delegate.startUpload(name);
    return new ObjectUpload() {
      @Override
      public void write(byte[] data, int offset, int length) {
        inner.write(data, offset, length);
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
