package io.isledb.storage;

import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.ObjectUpload;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * An {@link ObjectStore} held in memory: for unit tests and benchmarks of code above the storage
 * layer. It has the same semantics as the real stores (atomic create-if-absent, ordered listing,
 * request counting); it is not durable.
 */
public final class InMemoryObjectStore implements ObjectStore {
  private record Stored(byte[] data, long lastModifiedMillis) {}

  /** The default prefix of a store made by the constructors. */
  public static final String DEFAULT_PREFIX = "db";

  private final java.util.concurrent.ConcurrentHashMap<
          String, ConcurrentSkipListMap<String, Stored>>
      site; // every prefix's objects, shared with siblings
  private final ConcurrentSkipListMap<String, Stored> objects;
  private final RequestCounters counters;
  private final Clock clock;
  private final java.util.concurrent.atomic.AtomicBoolean closedFlag;
  private final String prefix;
  private final boolean isSibling;
  private final long siteId;
  private static final java.util.concurrent.atomic.AtomicLong SITES =
      new java.util.concurrent.atomic.AtomicLong();

  public InMemoryObjectStore() {
    this(Clock.systemUTC());
  }

  /** A store whose modification times come from {@code clock}. */
  public InMemoryObjectStore(Clock clock) {
    this(
        new java.util.concurrent.ConcurrentHashMap<>(),
        new RequestCounters(),
        clock,
        new java.util.concurrent.atomic.AtomicBoolean(),
        DEFAULT_PREFIX,
        false,
        SITES.incrementAndGet());
  }

  private InMemoryObjectStore(
      java.util.concurrent.ConcurrentHashMap<String, ConcurrentSkipListMap<String, Stored>> site,
      RequestCounters counters,
      Clock clock,
      java.util.concurrent.atomic.AtomicBoolean closedFlag,
      String prefix,
      boolean isSibling,
      long siteId) {
    this.siteId = siteId;
    this.site = site;
    this.objects = site.computeIfAbsent(prefix, p -> new ConcurrentSkipListMap<>());
    this.counters = counters;
    this.clock = clock;
    this.closedFlag = closedFlag;
    this.prefix = prefix;
    this.isSibling = isSibling;
  }

  @Override
  public String location() {
    // Unique per site: a JDBC manifest store names a database by its object store's location.
    return "memory://m" + siteId + "/" + prefix + "/";
  }

  @Override
  public String prefix() {
    return prefix;
  }

  @Override
  public ObjectStore sibling(String otherPrefix) {
    checkOpen();
    ObjectNames.checkPrefix(otherPrefix);
    String clean =
        otherPrefix.endsWith("/")
            ? otherPrefix.substring(0, otherPrefix.length() - 1)
            : otherPrefix;
    return new InMemoryObjectStore(site, counters, clock, closedFlag, clean, true, siteId);
  }

  private void checkOpen() {
    if (closedFlag.get()) {
      throw IsleException.closed("object store " + location());
    }
  }

  @Override
  public Optional<byte[]> get(String name) {
    checkOpen();
    ObjectNames.checkName(name);
    counters.count(RequestKind.GET);
    Stored s = objects.get(name);
    if (s == null) {
      return Optional.empty();
    }
    counters.read(s.data.length);
    return Optional.of(s.data.clone());
  }

  @Override
  public Optional<byte[]> getRange(String name, long offset, int length) {
    checkOpen();
    ObjectNames.checkName(name);
    ObjectRanges.checkRange(offset, length);
    counters.count(RequestKind.GET_RANGE);
    Stored s = objects.get(name);
    if (s == null) {
      return Optional.empty();
    }
    long start = Math.min(offset, s.data.length);
    long end = Math.min((long) s.data.length, offset + length);
    byte[] out = Arrays.copyOfRange(s.data, (int) start, (int) end);
    counters.read(out.length);
    return Optional.of(out);
  }

  @Override
  public Optional<byte[]> getRange(String name, long objectSize, long offset, int length) {
    return getRange(name, offset, length);
  }

  @Override
  public void put(String name, byte[] data) {
    checkOpen();
    ObjectNames.checkName(name);
    counters.count(RequestKind.PUT);
    counters.written(data.length);
    objects.put(name, new Stored(data.clone(), clock.millis()));
  }

  @Override
  public boolean createIfAbsent(String name, byte[] data) {
    checkOpen();
    ObjectNames.checkName(name);
    counters.count(RequestKind.CREATE_IF_ABSENT);
    Stored previous = objects.putIfAbsent(name, new Stored(data.clone(), clock.millis()));
    if (previous == null) {
      counters.written(data.length);
      return true;
    }
    // Same rule as the real stores: identical bytes count as this caller's own earlier write.
    return Arrays.equals(previous.data, data);
  }

  @Override
  public ObjectUpload startUpload(String name) {
    checkOpen();
    ObjectNames.checkName(name);
    return new ObjectUpload() {
      private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
      private boolean done;

      @Override
      public void write(byte[] data, int offset, int length) {
        if (done) {
          throw IsleException.closed("upload of " + name);
        }
        buf.write(data, offset, length);
      }

      @Override
      public long position() {
        return buf.size();
      }

      @Override
      public long complete() {
        checkOpen();
        if (done) {
          throw IsleException.closed("upload of " + name);
        }
        done = true;
        counters.count(RequestKind.UPLOAD);
        counters.written(buf.size());
        objects.put(name, new Stored(buf.toByteArray(), clock.millis()));
        return buf.size();
      }

      @Override
      public void close() {
        done = true;
      }
    };
  }

  @Override
  public Optional<ObjectInfo> stat(String name) {
    checkOpen();
    ObjectNames.checkName(name);
    counters.count(RequestKind.STAT);
    Stored s = objects.get(name);
    return s == null
        ? Optional.empty()
        : Optional.of(new ObjectInfo(name, s.data.length, s.lastModifiedMillis));
  }

  @Override
  public Iterator<ObjectInfo> list(String namePrefix) {
    checkOpen();
    ObjectNames.checkListPrefix(namePrefix);
    counters.count(RequestKind.LIST_PAGE);
    Iterator<Map.Entry<String, Stored>> entries =
        objects.tailMap(namePrefix, true).entrySet().iterator();
    // Lazy like a paged S3 listing: one LIST_PAGE per 1000 names actually read.
    return new Iterator<>() {
      private ObjectInfo next;
      private int inPage;
      private boolean done;

      @Override
      public boolean hasNext() {
        if (next == null && !done) {
          if (entries.hasNext()) {
            Map.Entry<String, Stored> e = entries.next();
            if (e.getKey().startsWith(namePrefix)) {
              if (inPage == 1000) {
                counters.count(RequestKind.LIST_PAGE);
                inPage = 0;
              }
              inPage++;
              Stored st = e.getValue();
              next = new ObjectInfo(e.getKey(), st.data.length, st.lastModifiedMillis);
            } else {
              done = true;
            }
          } else {
            done = true;
          }
        }
        return next != null;
      }

      @Override
      public ObjectInfo next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        ObjectInfo out = next;
        next = null;
        return out;
      }
    };
  }

  @Override
  public void delete(String name) {
    checkOpen();
    ObjectNames.checkName(name);
    counters.count(RequestKind.DELETE);
    objects.remove(name);
  }

  @Override
  public void deleteAll(Collection<String> names) {
    for (String n : names) {
      delete(n);
    }
  }

  @Override
  public boolean hasAtomicCreateIfAbsent() {
    return true;
  }

  @Override
  public RequestStats stats() {
    return counters.snapshot(Map.of());
  }

  @Override
  public void close() {
    if (!isSibling) {
      closedFlag.set(true);
    }
  }
}
