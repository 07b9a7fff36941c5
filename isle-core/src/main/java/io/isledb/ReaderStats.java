package io.isledb;

/**
 * Cache and request statistics of a reader, cumulative since it opened.
 *
 * @param blockCacheHits blocks served from the in-memory block cache
 * @param blockCacheMisses blocks that had to be read (from the disk cache or storage)
 * @param blockCacheBytes bytes held by the block cache now
 * @param diskCacheHits tables found in the local disk cache when opened
 * @param diskCacheMisses tables not found in the local disk cache when opened
 * @param diskCacheBytes bytes held by the disk cache now
 * @param tableOpens tables opened (index and filter loaded)
 * @param remoteReads ranged reads of tables from storage
 * @param downloads whole tables downloaded into the disk cache
 * @param downloadedBytes bytes of those downloads
 * @param blobReads blob values fetched
 * @param refreshes refreshes of the version
 * @param storage the object store's request counters
 */
public record ReaderStats(
    long blockCacheHits,
    long blockCacheMisses,
    long blockCacheBytes,
    long diskCacheHits,
    long diskCacheMisses,
    long diskCacheBytes,
    long tableOpens,
    long remoteReads,
    long downloads,
    long downloadedBytes,
    long blobReads,
    long refreshes,
    RequestStats storage) {}
