package io.isledb.flink.connector.source;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.flink.connector.IsleConnectorOptions;
import io.isledb.flink.connector.internal.TableLocation;
import io.isledb.testing.S3ServerExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A table written directly with isle-core's writer (as another process would), with a model of its
 * contents and of every change committed: what the source tests compare against.
 */
final class SourceTestTable implements AutoCloseable {
  final TableLocation location;
  final ObjectStore store;
  final IsleDB db;
  final Writer writer;

  /** Newest value per key (hex key), as of the last flush. */
  final TreeMap<String, String> model = new TreeMap<>();

  /** Every change committed, in commit order: "PUT key value" or "DELETE key". */
  final List<String> changes = new ArrayList<>();

  private SourceTestTable(TableLocation location, DBOptions options) {
    this.location = location;
    this.store = IsleDB.openStore(location.storeUri(), location.prefix(), location.hadoopConf());
    this.db = IsleDB.open(store, options);
    this.writer = db.openWriter(WriterOptions.defaults());
  }

  static SourceTestTable onFile(Path dir) {
    return new SourceTestTable(
        TableLocation.of(dir.toUri().toString() + "table", Map.of()), DBOptions.defaults());
  }

  static SourceTestTable onS3(S3ServerExtension s3, String hint) {
    Map<String, String> options = new HashMap<>();
    s3.hadoopConf().forEach((k, v) -> options.put(IsleConnectorOptions.HADOOP_PREFIX + k, v));
    return new SourceTestTable(
        TableLocation.of(s3.uri() + "/" + s3.newPrefix(hint), options), DBOptions.defaults());
  }

  /** Key {@code i}: 8 bytes spread over the key space (so splits by key range are even). */
  static byte[] key(long i) {
    long z = i * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return ByteBuffer.allocate(8).putLong(z ^ (z >>> 31)).array();
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  void put(long i, String value) {
    writer.put(key(i), value.getBytes(StandardCharsets.UTF_8));
    model.put(hex(key(i)), value);
    changes.add("PUT " + hex(key(i)) + " " + value);
  }

  void delete(long i) {
    writer.delete(key(i));
    model.remove(hex(key(i)));
    changes.add("DELETE " + hex(key(i)));
  }

  /** Commits what was written since the last flush; returns the version. */
  long flush() {
    writer.flush();
    return writer.lastCommittedVersion();
  }

  /**
   * {@code flushes} commits of {@code perFlush} puts each (keys {@code first..}), a few deletes.
   */
  long fill(long first, int flushes, int perFlush, String tag) {
    long k = first;
    for (int f = 0; f < flushes; f++) {
      for (int i = 0; i < perFlush; i++) {
        put(k++, tag + "-" + f + "-" + i);
      }
      delete(k - perFlush / 2); // a delete per flush, of a key of this flush
      flush();
    }
    return writer.lastCommittedVersion();
  }

  /** The text form of a change the source emitted, comparable with {@link #changes}. */
  static String change(IsleRecord r) {
    return r.isDelete()
        ? "DELETE " + hex(r.getKey())
        : "PUT " + hex(r.getKey()) + " " + new String(r.getValue(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    writer.close();
    db.close();
    store.close();
  }
}
