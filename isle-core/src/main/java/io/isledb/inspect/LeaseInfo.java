package io.isledb.inspect;

import io.isledb.util.Internal;
import java.util.List;

/**
 * A lease: uploads in progress that GC leaves alone.
 *
 * @param object the lease's object name
 * @param author the role instance holding it
 * @param refresh its refresh counter
 * @param ttlMillis its lifetime without a refresh (0: the grace period)
 * @param objects the objects it names
 * @param blobPrefixes the blob uniquifier prefixes it covers
 * @param lastModifiedMillis the store's modification time of the lease
 * @param error null, or why it could not be read (GC then fails closed)
 */
@Internal
public record LeaseInfo(
    String object,
    String author,
    long refresh,
    long ttlMillis,
    List<String> objects,
    List<String> blobPrefixes,
    long lastModifiedMillis,
    String error) {}
