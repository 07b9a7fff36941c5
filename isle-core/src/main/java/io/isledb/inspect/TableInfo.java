package io.isledb.inspect;

import io.isledb.util.Internal;

/**
 * One table of a version, as the manifest records it.
 *
 * @param id the table id (32 hex digits)
 * @param object its object name, relative to its home prefix
 * @param home the prefix of the database holding it (a fork's borrowed table), or null: this one
 * @param size the object size in bytes
 * @param entries entry count (all versions of all keys)
 * @param tombstones deletions among them
 * @param smallestKey the smallest user key
 * @param largestKey the largest user key
 * @param minSeq the smallest sequence number
 * @param maxSeq the largest sequence number
 * @param blobRefs number of blob references
 */
@Internal
public record TableInfo(
    String id,
    String object,
    String home,
    long size,
    long entries,
    long tombstones,
    byte[] smallestKey,
    byte[] largestKey,
    long minSeq,
    long maxSeq,
    long blobRefs) {}
