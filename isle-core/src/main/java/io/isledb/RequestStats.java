package io.isledb;

import java.util.EnumMap;
import java.util.Map;

/**
 * An immutable snapshot of the requests an {@link ObjectStore} issued: counts per {@link
 * RequestKind}, plus bytes read and written. Subtract two snapshots with {@link #minus} to get the
 * cost of one operation.
 *
 * <p>{@code backend} holds the storage client's own counters where it has them (for S3A, its HTTP
 * request statistics such as {@code object_get_request} or {@code object_put_request}), so tests
 * can check the requests that really went over the wire, not only IsleDB's own calls.
 */
public record RequestStats(
    Map<RequestKind, Long> counts, long bytesRead, long bytesWritten, Map<String, Long> backend) {

  /** Kinds of storage request, one per {@link ObjectStore} operation. */
  public enum RequestKind {
    GET,
    GET_RANGE,
    PUT,
    CREATE_IF_ABSENT,
    UPLOAD,
    STAT,
    LIST_PAGE,
    DELETE
  }

  public RequestStats {
    EnumMap<RequestKind, Long> copy = new EnumMap<>(RequestKind.class);
    for (RequestKind k : RequestKind.values()) {
      copy.put(k, counts.getOrDefault(k, 0L));
    }
    counts = Map.copyOf(copy);
    backend = Map.copyOf(backend);
  }

  /** The number of requests of one kind. */
  public long count(RequestKind kind) {
    return counts.get(kind);
  }

  /** All requests of all kinds. */
  public long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Reads: whole-object and ranged GETs. */
  public long gets() {
    return count(RequestKind.GET) + count(RequestKind.GET_RANGE);
  }

  /** Writes: PUTs, conditional creates and streaming uploads. */
  public long puts() {
    return count(RequestKind.PUT) + count(RequestKind.CREATE_IF_ABSENT) + count(RequestKind.UPLOAD);
  }

  /** A backend counter, 0 if the backend does not report it. */
  public long backend(String name) {
    return backend.getOrDefault(name, 0L);
  }

  /** The requests made between {@code earlier} and this snapshot. */
  public RequestStats minus(RequestStats earlier) {
    EnumMap<RequestKind, Long> diff = new EnumMap<>(RequestKind.class);
    for (RequestKind k : RequestKind.values()) {
      diff.put(k, count(k) - earlier.count(k));
    }
    Map<String, Long> b = new java.util.TreeMap<>();
    backend.forEach((k, v) -> b.put(k, v - earlier.backend(k)));
    return new RequestStats(
        diff, bytesRead - earlier.bytesRead, bytesWritten - earlier.bytesWritten, b);
  }
}
