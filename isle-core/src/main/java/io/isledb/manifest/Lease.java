package io.isledb.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.CorruptionException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A lease: objects a long-running job (a compaction) is uploading but has not committed yet, stored
 * as {@code manifest/leases/<author>.json}. GC leaves objects named in a lease alone while the
 * lease keeps changing (its holder rewrites it with a higher {@code refresh} at least every quarter
 * of the grace period); a lease that did not change for a whole grace period is dead and GC deletes
 * it.
 *
 * @param author the holder's instance id
 * @param refresh increases with every rewrite
 * @param ttlMillis how long the lease stays valid without a rewrite; GC uses the larger of this and
 *     its grace period (0 = the grace period)
 * @param objects object names (relative to the database prefix) the holder is uploading
 */
public record Lease(String author, long refresh, long ttlMillis, List<String> objects) {
  public static final String DIR = "manifest/leases/";

  /** Authors are role prefixes and hex ids ({@code sstwriter-<32 hex>}): one path segment. */
  private static final Pattern AUTHOR = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,199}");

  public Lease {
    objects = List.copyOf(objects);
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

  /** Bytes of this lease. */
  public byte[] encode() {
    ObjectNode n = ChecksummedJson.object();
    n.put("format", ManifestCodec.FORMAT_VERSION);
    n.put("type", "lease");
    n.put("author", author);
    n.put("refresh", refresh);
    n.put("ttlMillis", ttlMillis);
    ArrayNode a = n.putArray("objects");
    objects.forEach(a::add);
    return ChecksummedJson.encode(n);
  }

  /** Decodes a lease object. */
  public static Lease decode(String name, byte[] data) {
    JsonNode n = ChecksummedJson.decode(name, data);
    if (n.path("format").asLong(-1) != ManifestCodec.FORMAT_VERSION
        || !"lease".equals(n.path("type").asText())) {
      throw new CorruptionException(
          "object " + name + " is not a lease of format " + ManifestCodec.FORMAT_VERSION);
    }
    List<String> objects = new ArrayList<>();
    for (JsonNode o : n.path("objects")) {
      objects.add(o.asText());
    }
    if (!n.path("author").isTextual()
        || !n.path("refresh").isIntegralNumber()
        || !n.path("ttlMillis").isIntegralNumber()) {
      throw new CorruptionException("lease " + name + " lacks author, refresh or ttlMillis");
    }
    return new Lease(
        n.get("author").asText(), n.get("refresh").asLong(), n.get("ttlMillis").asLong(), objects);
  }
}
