package io.isledb.inspect;

import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.sst.BlockCache;
import io.isledb.sst.ScanOptions;
import io.isledb.sst.TableIterator;
import io.isledb.sst.TableProperties;
import io.isledb.sst.TableReader;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Opens one table file by object name, uncached, straight from the store. */
final class TableDump {
  private TableDump() {}

  static SstDump dump(ObjectStore store, String object) {
    TableReader r = open(store, object);
    List<SstDump.IndexEntry> index = new ArrayList<>();
    for (TableReader.IndexEntry e : r.indexEntries()) {
      index.add(new SstDump.IndexEntry(e.separatorKey(), e.separatorSeq(), e.offset(), e.size()));
    }
    return new SstDump(object, r.fileSize(), properties(r.properties()), index);
  }

  static void entries(ObjectStore store, String object, Consumer<SstDump.Entry> sink) {
    TableIterator it = open(store, object).iterator(ScanOptions.sequential(4 << 20));
    for (it.seekToFirst(); it.valid(); it.next()) {
      sink.accept(
          new SstDump.Entry(
              it.userKey(), it.seq(), it.kind().name(), it.expiresAtMillis(), it.value()));
    }
  }

  /** Reads (and so verifies) every block of the table; returns its size. */
  static long scan(ObjectStore store, String object, long size) {
    TableIterator it = open(store, object, size).iterator(ScanOptions.sequential(4 << 20));
    for (it.seekToFirst(); it.valid(); it.next()) {
      // every data block is read and checked once
    }
    return size;
  }

  private static TableReader open(ObjectStore store, String object) {
    ObjectInfo info =
        store
            .stat(object)
            .orElseThrow(
                () ->
                    IsleException.invalidArgument(
                        "no table " + object + " at " + store.location()));
    return open(store, object, info.size());
  }

  private static TableReader open(ObjectStore store, String object, long size) {
    return TableReader.open(
        object,
        size,
        (offset, length) ->
            store
                .getRange(object, size, offset, length)
                .orElseThrow(
                    () ->
                        new io.isledb.CorruptionException(
                            "sst " + object + " vanished from " + store.location())),
        BlockCache.none(),
        0);
  }

  /** Every property, in the record's order; keys as hex. */
  private static Map<String, String> properties(TableProperties p) {
    Map<String, String> out = new LinkedHashMap<>();
    for (RecordComponent c : TableProperties.class.getRecordComponents()) {
      Object v;
      try {
        v = c.getAccessor().invoke(p);
      } catch (ReflectiveOperationException e) {
        throw IsleException.internal("cannot read table property " + c.getName(), e);
      }
      out.put(c.getName(), v instanceof byte[] b ? HexFormat.of().formatHex(b) : String.valueOf(v));
    }
    return out;
  }
}
