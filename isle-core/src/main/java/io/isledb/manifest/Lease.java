package io.isledb.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.CorruptionException;
import io.isledb.IsleException;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A lease: objects a long-running job (a compaction, an external SST writer) is uploading but has
 * not committed yet, stored as {@code manifest/leases/<author>.json}. GC leaves objects the lease
 * covers alone while the lease keeps changing (its holder rewrites it with a higher {@code refresh}
 * at least every quarter of the larger of its ttl and the grace period); a lease that did not
 * change for that long is dead and GC deletes it.
 *
 * <p>A lease covers (see {@link #covers}) every object it names in {@code objects} and every blob
 * whose uniquifier starts with one of its {@code blobUniquifierPrefixes}. The prefixes let a writer
 * name all its future blob uploads once, before the first of them: a blob's name contains its
 * content hash, which is unknown until the value arrives, so naming each blob would mean rewriting
 * the lease before every upload (quadratic in the number of blobs). A lease without prefixes is
 * encoded exactly as before they existed.
 *
 * @param author the holder's instance id
 * @param refresh increases with every rewrite
 * @param ttlMillis how long the lease stays valid without a rewrite; GC uses the larger of this and
 *     its grace period (0 = the grace period)
 * @param objects object names (relative to the database prefix) the holder is uploading (or will
 *     upload: names may be declared before their objects exist)
 * @param blobUniquifierPrefixes hex prefixes ({@value #MIN_PREFIX_HEX} to 16 lower-case hex digits)
 *     of blob uniquifiers: the lease covers every {@code blobs/<2 hex>/<sha256>-<uniquifier>.blob}
 *     whose uniquifier starts with one of them
 */
@Internal
public record Lease(
    String author,
    long refresh,
    long ttlMillis,
    List<String> objects,
    List<String> blobUniquifierPrefixes) {
  public static final String DIR = "manifest/leases/";

  /** Persisted: the {@code type} of a lease object. */
  static final String TYPE = "lease";

  /**
   * Shortest blob uniquifier prefix a lease may declare: 8 hex digits (32 bits) keep the chance
   * that a random prefix also covers another writer's blobs negligible (over-retention only).
   */
  public static final int MIN_PREFIX_HEX = 8;

  /** Length of a blob uniquifier in hex digits (a 64-bit number). */
  private static final int UNIQUIFIER_HEX = 16;

  /** Authors are role prefixes and hex ids ({@code sstwriter-<32 hex>}): one path segment. */
  private static final Pattern AUTHOR = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,199}");

  private static final Pattern PREFIX =
      Pattern.compile("[0-9a-f]{" + MIN_PREFIX_HEX + "," + UNIQUIFIER_HEX + "}");

  public Lease {
    objects = List.copyOf(objects);
    blobUniquifierPrefixes = List.copyOf(blobUniquifierPrefixes);
    for (String p : blobUniquifierPrefixes) {
      if (!PREFIX.matcher(p).matches()) {
        throw IsleException.invalidArgument(
            "blob uniquifier prefix '" + p + "' is not 8 to 16 lower-case hex digits");
      }
    }
  }

  /** A lease that names its objects one by one (compactions). */
  public Lease(String author, long refresh, long ttlMillis, List<String> objects) {
    this(author, refresh, ttlMillis, objects, List.of());
  }

  /** {@code manifest/leases/<author>.json}. */
  public static String objectName(String author) {
    return DIR + author + ManifestPaths.JSON_SUFFIX;
  }

  /**
   * Whether {@code name} is a lease object name: {@code manifest/leases/<author>.json} with an
   * author of letters, digits, '-' and '_' (no '/', no "..": nothing outside the lease directory).
   * Used to check names that come from outside, such as an {@code SstHandle}'s lease, before the
   * engine deletes them.
   */
  public static boolean isObjectName(String name) {
    if (name == null
        || !name.startsWith(DIR)
        || !name.endsWith(ManifestPaths.JSON_SUFFIX)
        || name.length() <= DIR.length() + ManifestPaths.JSON_SUFFIX.length()) {
      return false;
    }
    String author =
        name.substring(DIR.length(), name.length() - ManifestPaths.JSON_SUFFIX.length());
    return AUTHOR.matcher(author).matches();
  }

  /**
   * Whether this lease covers {@code objectName} (relative to the database prefix): it is named in
   * {@link #objects()}, or it is a blob whose uniquifier starts with one of {@link
   * #blobUniquifierPrefixes()}. For many leases at once use {@link Coverage}.
   */
  public boolean covers(String objectName) {
    Coverage c = new Coverage();
    c.add(this);
    return c.covers(objectName);
  }

  /**
   * The objects covered by a set of leases, as GC needs it: add every live lease, then ask {@link
   * #covers} for each listed object. Lookups cost a hash probe per distinct prefix length.
   */
  public static final class Coverage {
    private final Set<String> names = new HashSet<>();
    private final Set<String> prefixes = new HashSet<>();
    private final TreeSet<Integer> prefixLengths = new TreeSet<>();

    /** Adds everything {@code lease} covers. */
    public void add(Lease lease) {
      names.addAll(lease.objects());
      for (String p : lease.blobUniquifierPrefixes()) {
        prefixes.add(p);
        prefixLengths.add(p.length());
      }
    }

    /** Whether any added lease covers {@code objectName}. */
    public boolean covers(String objectName) {
      if (names.contains(objectName)) {
        return true;
      }
      if (prefixes.isEmpty()) {
        return false;
      }
      String uniquifier = blobUniquifierOf(objectName);
      if (uniquifier == null) {
        return false;
      }
      for (int len : prefixLengths) {
        if (prefixes.contains(uniquifier.substring(0, len))) {
          return true;
        }
      }
      return false;
    }

    /** Whether nothing was added. */
    public boolean isEmpty() {
      return names.isEmpty() && prefixes.isEmpty();
    }
  }

  /** The 16-hex-digit uniquifier of a {@code blobs/...} object name, or null if it is not one. */
  static String blobUniquifierOf(String objectName) {
    String blob = ManifestPaths.blobNameOf(objectName);
    if (blob == null) {
      return null;
    }
    int dash = blob.lastIndexOf('-');
    if (dash < 0 || blob.length() - dash - 1 != UNIQUIFIER_HEX) {
      return null;
    }
    return blob.substring(dash + 1);
  }

  /** Bytes of this lease. */
  public byte[] encode() {
    ObjectNode n = JsonHeader.start(TYPE);
    n.put("author", author);
    n.put("refresh", refresh);
    n.put("ttlMillis", ttlMillis);
    ArrayNode a = n.putArray("objects");
    objects.forEach(a::add);
    if (!blobUniquifierPrefixes.isEmpty()) {
      ArrayNode p = n.putArray("blobUniquifierPrefixes");
      blobUniquifierPrefixes.forEach(p::add);
    }
    return ChecksummedJson.encode(n);
  }

  /**
   * Decodes a lease object. Strict: a newer format, a missing or mistyped field, or a malformed
   * prefix is corruption (GC then fails closed, never reading the lease as covering less).
   */
  public static Lease decode(String name, byte[] data) {
    JsonNode n = JsonHeader.decode(name, data, TYPE);
    List<String> prefixes = new ArrayList<>();
    JsonNode p = n.get("blobUniquifierPrefixes");
    if (p != null) {
      for (String prefix : JsonFields.strings(name, p)) {
        if (!PREFIX.matcher(prefix).matches()) {
          throw new CorruptionException(
              "lease " + name + " has a malformed blob uniquifier prefix '" + prefix + "'");
        }
        prefixes.add(prefix);
      }
    }
    return new Lease(
        JsonFields.str(name, n, "author"),
        JsonFields.num(name, n, "refresh"),
        JsonFields.num(name, n, "ttlMillis"),
        JsonFields.strings(name, JsonFields.field(name, n, "objects")),
        prefixes);
  }
}
