package io.isledb.examples;

import io.isledb.Change;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.table.api.TableResult;

/**
 * What the isle table itself says, read with isle-core's public API beside the Flink jobs: when its
 * first version (with the SQL schema) is there, and its whole change log.
 */
final class TableFacts {
  private final String storeUri;
  private final String prefix;
  private final Map<String, String> hadoop;

  /** The change log of the table: puts and deletes, distinct keys, changes per version. */
  record ChangeLog(long puts, long deletes, int distinctKeys, Map<Long, Integer> perVersion) {}

  TableFacts(String path, Map<String, String> hadoop) {
    String[] where = StorageSummary.storeAndPrefix(path);
    this.storeUri = where[0];
    this.prefix = where[1];
    this.hadoop = hadoop;
  }

  ObjectStore openStore() {
    return IsleDB.openStore(storeUri, prefix, hadoop);
  }

  /** Waits until the sink's first commit (rows and schema) is visible, or the job ended. */
  void awaitFirstVersion(TableResult insert) throws Exception {
    try (ObjectStore store = openStore()) {
      while (true) {
        if (store.list("manifest/").hasNext()) {
          try (Reader r = IsleDB.openReader(store, ReaderOptions.defaults())) {
            if (r.properties().containsKey("flink.schema.current")) {
              return;
            }
          }
        }
        if (insert.getJobClient().orElseThrow().getJobStatus().get().isGloballyTerminalState()) {
          return;
        }
        Thread.sleep(100);
      }
    }
  }

  /** Reads the table's change log from its first version to its newest. */
  ChangeLog changeLog() throws Exception {
    long puts = 0;
    long deletes = 0;
    Set<String> keys = new HashSet<>();
    Map<Long, Integer> perVersion = new TreeMap<>();
    try (ObjectStore store = openStore();
        TailingReader tail = IsleDB.openTailingReader(store, TailingReaderOptions.defaults())) {
      TailPosition end = tail.latest();
      TailPosition pos = tail.earliest();
      while (true) {
        TailBatch batch = tail.poll(pos, 4096);
        for (Change c : batch.changes()) {
          if (c.type() == Change.Type.PUT) {
            puts++;
          } else {
            deletes++;
          }
          keys.add(java.util.HexFormat.of().formatHex(c.key()));
          perVersion.merge(c.version(), 1, Integer::sum);
        }
        if (batch.changes().isEmpty() || batch.next().equals(end)) {
          return new ChangeLog(puts, deletes, keys.size(), perVersion);
        }
        pos = batch.next();
      }
    }
  }
}
