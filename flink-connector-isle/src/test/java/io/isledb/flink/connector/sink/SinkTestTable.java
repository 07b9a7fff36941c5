package io.isledb.flink.connector.sink;

import io.isledb.Change;
import io.isledb.IsleDB;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.testing.S3ServerExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A table for a sink test, on file:// or on the real S3 server, and how to read it back. */
record SinkTestTable(String path, Map<String, String> hadoopConf, TableLocation location) {

  /** Where a test table lives. */
  enum Store {
    FILE,
    S3A
  }

  static SinkTestTable create(Store store, Path tempDir, S3ServerExtension s3, String hint) {
    String path;
    Map<String, String> conf;
    if (store == Store.FILE) {
      path = tempDir.resolve(hint).toUri().toString();
      conf = Map.of();
    } else {
      path = s3.uri() + "/" + s3.newPrefix(hint);
      conf = s3.hadoopConf();
    }
    Map<String, String> options = new HashMap<>();
    conf.forEach((k, v) -> options.put("hadoop." + k, v));
    return new SinkTestTable(path, conf, TableLocation.of(path, options));
  }

  <T> IsleSink.Builder<T> sink(IsleRecordSerializer<T> serializer) {
    return IsleSink.<T>builder().path(path).hadoopConf(hadoopConf).serializer(serializer);
  }

  ObjectStore openStore() {
    return IsleDB.openStore(location.storeUri(), location.prefix(), location.hadoopConf());
  }

  /** The newest version's rows: key (8 bytes, as a long) to value (as a string). */
  TreeMap<Long, String> read() {
    TreeMap<Long, String> rows = new TreeMap<>();
    for (KV kv : readRaw()) {
      String old = rows.put(longKey(kv.key()), new String(kv.value(), StandardCharsets.UTF_8));
      if (old != null) {
        throw new AssertionError("key " + longKey(kv.key()) + " scanned twice");
      }
    }
    return rows;
  }

  /** The newest version's rows in key order. */
  List<KV> readRaw() {
    List<KV> rows = new ArrayList<>();
    try (ObjectStore store = openStore();
        Reader reader = IsleDB.openReader(store, ReaderOptions.defaults());
        ReadView view = reader.snapshot();
        KvIterator it = view.scan(null, null)) {
      it.forEachRemaining(rows::add);
    }
    return rows;
  }

  /** Every committed change, in commit order (from the oldest retained edit). */
  List<Change> changes() {
    List<Change> out = new ArrayList<>();
    try (ObjectStore store = openStore();
        TailingReader tail = IsleDB.openTailingReader(store, TailingReaderOptions.defaults())) {
      TailPosition pos = tail.earliest();
      while (true) {
        TailBatch b = tail.poll(pos, 10_000);
        if (b.changes().isEmpty()) {
          return out;
        }
        out.addAll(b.changes());
        pos = b.next();
      }
    }
  }

  static byte[] key(long k) {
    return ByteBuffer.allocate(8).putLong(k).array();
  }

  static long longKey(byte[] key) {
    if (key.length != 8) {
      throw new AssertionError("not an 8-byte key: " + key.length + " bytes");
    }
    return ByteBuffer.wrap(key).getLong();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
