package io.isledb.flink.connector.source.reader;

import io.isledb.TailPosition;
import io.isledb.flink.connector.source.IsleRecord;

/**
 * What the split reader hands to the task thread: a record with the progress it makes once emitted,
 * or the end of a split's scan (no record).
 *
 * @param record the record, null for the end of a scan
 * @param next the tail position after a change, null for snapshot rows
 */
record Fetched(IsleRecord record, TailPosition next) {
  static final Fetched SCAN_DONE = new Fetched(null, null);
}
