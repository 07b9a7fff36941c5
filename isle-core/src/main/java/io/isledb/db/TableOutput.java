package io.isledb.db;

import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.ObjectUpload;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.TableBuilder;
import io.isledb.sst.TableOptions;
import io.isledb.sst.TableProperties;
import io.isledb.sst.UploadStream;
import io.isledb.sst.ValueKind;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Writes entries (in internal key order) into one or more new tables, streaming each through an
 * upload. A new table starts once the current one reached the target size, but only at a user-key
 * boundary: all versions of a key stay in one table, which sorted runs rely on.
 */
@Internal
public final class TableOutput implements AutoCloseable {
  private final ObjectStore store;
  private final Supplier<byte[]> idSource;
  private final TableOptions options;
  private final long targetSize;
  private final java.util.function.Consumer<String> onTableStart;
  private final List<SstMeta> done = new ArrayList<>();
  private String id;
  private ObjectUpload upload;
  private TableBuilder builder;
  private byte[] lastKey = new byte[64];
  private int lastKeyLength;
  private long blobRefs;
  private java.util.function.BiFunction<String, ObjectUpload, ObjectUpload> uploads =
      (tableId, u) -> u;
  private boolean seqIsOrdinal;

  /**
   * @param targetSize roll to a new table at the first key boundary after this size (use {@code
   *     Long.MAX_VALUE} for exactly one table)
   */
  public TableOutput(
      ObjectStore store, Supplier<byte[]> idSource, TableOptions options, long targetSize) {
    this(store, idSource, options, targetSize, id -> {});
  }

  /**
   * @param onTableStart called with a table's id before its upload starts (compaction records it in
   *     its lease so GC leaves the upload alone)
   */
  public TableOutput(
      ObjectStore store,
      Supplier<byte[]> idSource,
      TableOptions options,
      long targetSize,
      java.util.function.Consumer<String> onTableStart) {
    this.store = store;
    this.idSource = idSource;
    this.options = options;
    this.targetSize = targetSize;
    this.onTableStart = onTableStart;
  }

  /**
   * Routes each table's upload through {@code wrap} (given the table id): the writer copies the
   * bytes to its disk cache on the way.
   */
  public void wrapUploads(java.util.function.BiFunction<String, ObjectUpload, ObjectUpload> wrap) {
    this.uploads = wrap;
  }

  /**
   * Gives each table's i-th entry sequence number i (the {@code seq} passed to add is ignored) and
   * marks the tables {@code seq-is-ordinal}: an external table's entries all read as its global
   * sequence number, so their stored ones are free to record their place in the table, which a
   * range-restricted tailing reader needs (docs/PROTOCOL.md §8). Needs distinct user keys.
   */
  public void numberEntries() {
    this.seqIsOrdinal = true;
  }

  public void add(byte[] userKey, long seq, ValueKind kind, long expiresAt, byte[] value) {
    add(userKey, 0, userKey.length, seq, kind, expiresAt, value, 0, value.length);
  }

  /** Like {@link #add(byte[], long, ValueKind, long, byte[])} with the key and value as slices. */
  public void add(
      byte[] keyBuf,
      int keyOffset,
      int keyLength,
      long seq,
      ValueKind kind,
      long expiresAt,
      byte[] valueBuf,
      int valueOffset,
      int valueLength) {
    if (builder != null
        && builder.estimatedFileSize() >= targetSize
        && Arrays.compareUnsigned(
                keyBuf, keyOffset, keyOffset + keyLength, lastKey, 0, lastKeyLength)
            != 0) {
      finishCurrent();
    }
    if (builder == null) {
      id = Ids.next(idSource);
      onTableStart.accept(id);
      upload = uploads.apply(id, store.startUpload(io.isledb.manifest.ManifestPaths.sst(id)));
      builder = new TableBuilder(new UploadStream(upload), options);
      if (seqIsOrdinal) {
        builder.markSeqIsOrdinal();
      }
      blobRefs = 0;
    }
    builder.add(
        keyBuf,
        keyOffset,
        keyLength,
        seqIsOrdinal ? builder.entryCount() + 1 : seq,
        kind,
        expiresAt,
        valueBuf,
        valueOffset,
        valueLength);
    if (kind.isBlob()) {
      blobRefs++;
    }
    if (keyLength > lastKey.length) {
      lastKey = new byte[Math.max(keyLength, 2 * lastKey.length)];
    }
    System.arraycopy(keyBuf, keyOffset, lastKey, 0, keyLength);
    lastKeyLength = keyLength;
  }

  /** Ids of the tables started so far, including one still being written. */
  List<String> ids() {
    List<String> out = new ArrayList<>();
    for (SstMeta m : done) {
      out.add(m.id());
    }
    if (builder != null) {
      out.add(id);
    }
    return out;
  }

  /** Completes the last table; returns every table written, in key order. */
  public List<SstMeta> finish() {
    if (builder != null) {
      finishCurrent();
    }
    return List.copyOf(done);
  }

  private void finishCurrent() {
    TableProperties p = builder.finish();
    long size = upload.complete();
    if (size != p.fileSize()) {
      throw new IsleException(
          IsleException.Kind.INTERNAL,
          "table " + id + " uploaded " + size + " bytes but the builder wrote " + p.fileSize());
    }
    done.add(
        new SstMeta(
            id,
            size,
            p.dataSize(),
            p.smallestKey(),
            p.largestKey(),
            p.minSeq(),
            p.maxSeq(),
            0,
            p.entryCount(),
            p.tombstoneCount(),
            p.expiringCount(),
            p.minExpiresAtMillis(),
            p.maxExpiresAtMillis(),
            p.minDataTimeMillis(),
            p.maxDataTimeMillis(),
            p.creationTimeMillis(),
            blobRefs));
    builder = null;
    upload = null;
  }

  /** Abandons a table still being written (completed ones stay; GC reclaims them if unused). */
  @Override
  public void close() {
    if (upload != null) {
      upload.close();
      upload = null;
      builder = null;
    }
  }
}
