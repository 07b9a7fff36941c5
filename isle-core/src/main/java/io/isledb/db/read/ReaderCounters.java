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
}
