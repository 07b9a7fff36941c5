package io.isledb.db.read;

import java.util.concurrent.atomic.LongAdder;

/** Counters behind {@link io.isledb.ReaderStats}. */
final class ReaderCounters {
  final LongAdder remoteReads = new LongAdder();
  final LongAdder downloads = new LongAdder();
  final LongAdder downloadedBytes = new LongAdder();
  final LongAdder localOpens = new LongAdder();
  final LongAdder tableOpens = new LongAdder();
  final LongAdder blobReads = new LongAdder();
  final LongAdder refreshes = new LongAdder();
  final LongAdder missingTableRetries = new LongAdder();
  // This reader's (or writer view's) own cache lookups, also when the caches are shared.
  final LongAdder blockLookups = new LongAdder();
  final LongAdder blockMisses = new LongAdder();
  final LongAdder diskHits = new LongAdder();
  final LongAdder diskMisses = new LongAdder();
}
