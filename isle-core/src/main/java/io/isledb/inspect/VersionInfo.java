package io.isledb.inspect;

import io.isledb.util.Internal;
import java.util.List;
import java.util.Map;

/**
 * One version of a database: its tables by level and what else the manifest records.
 *
 * @param version the version (manifest log slot)
 * @param lastSeq the last sequence number assigned
 * @param l0 level 0, newest first
 * @param runs the sorted runs, newest first
 * @param properties the table properties
 * @param sources the prefixes of a fork's sources
 */
@Internal
public record VersionInfo(
    long version,
    long lastSeq,
    List<TableInfo> l0,
    List<Run> runs,
    Map<String, String> properties,
    List<String> sources) {

  /**
   * A sorted run.
   *
   * @param id the run id
   * @param tables its tables in key order
   */
  public record Run(long id, List<TableInfo> tables) {}

  /** Every table, L0 first. */
  public List<TableInfo> allTables() {
    List<TableInfo> out = new java.util.ArrayList<>(l0);
    runs.forEach(r -> out.addAll(r.tables()));
    return out;
  }
}
