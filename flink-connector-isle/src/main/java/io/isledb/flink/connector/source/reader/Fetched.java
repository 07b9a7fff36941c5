package io.isledb.flink.connector.source.reader;

import io.isledb.TailPosition;
import io.isledb.flink.connector.source.IsleRecord;

/**
 * What the split reader hands to the task thread: a record with the progress it makes once emitted,
 * the end of a split's scan (neither), or a tail position reached without a change for the split
 * (no record).
 *
 * @param record the record, null for the end of a scan or a position alone
 * @param next the tail position after a change or the position reached, null for snapshot rows
 */
record Fetched(IsleRecord record, TailPosition next) {
  static final Fetched SCAN_DONE = new Fetched(null, null);
}
