package io.isledb.storage;

import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe counters behind {@link io.isledb.ObjectStore#stats()}. */
final class RequestCounters {
  private final EnumMap<RequestKind, LongAdder> counts = new EnumMap<>(RequestKind.class);
  private final LongAdder bytesRead = new LongAdder();
  private final LongAdder bytesWritten = new LongAdder();

  public RequestCounters() {
    for (RequestKind k : RequestKind.values()) {
      counts.put(k, new LongAdder());
    }
  }

  /** Records one request of {@code kind}. */
  public void count(RequestKind kind) {
    counts.get(kind).increment();
  }

  /** Records bytes received from storage. */
  public void read(long bytes) {
    bytesRead.add(bytes);
  }

  /** Records bytes sent to storage. */
  public void written(long bytes) {
    bytesWritten.add(bytes);
  }

  /** A snapshot, with the backend's own counters attached. */
  public RequestStats snapshot(Map<String, Long> backend) {
    EnumMap<RequestKind, Long> c = new EnumMap<>(RequestKind.class);
    counts.forEach((k, v) -> c.put(k, v.sum()));
    return new RequestStats(c, bytesRead.sum(), bytesWritten.sum(), backend);
  }
}
