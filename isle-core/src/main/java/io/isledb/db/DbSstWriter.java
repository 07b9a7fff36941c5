package io.isledb.db;

import io.isledb.IsleException;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.manifest.Lease;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.TableOptions;
import io.isledb.sst.ValueKind;
import io.isledb.util.Bytes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds external tables. Every entry is written with sequence number 1; the commit gives each
 * table a global sequence number, in handle order, so later tables shadow earlier ones. Uploads are
 * listed in a lease ({@code manifest/leases/<writer id>.json}) that keeps GC away from them until
 * the commit deletes it, or its ttl runs out.
 */
public final class DbSstWriter implements SstWriter {
  static final long LOCAL_SEQ = 1;

  private record Pending(ValueKind kind, long expiresAt, byte[] value) {}

  private final DbContext ctx;
  private final SstWriterOptions options;
  private final String id;
  private final Blobs blobs;
  private final TableOptions tableOptions;
  private final List<String> leased = new ArrayList<>();
  private final List<SstHandle> handles = new ArrayList<>();
  private final TreeMap<byte[], Pending> buffer = new TreeMap<>(Bytes.COMPARATOR);
  private long bufferBytes;
  private long leaseRefresh;
  private TableOutput sorted;
  private byte[] lastSortedKey;
  private boolean finished;
  private boolean closed;

  public DbSstWriter(DbContext ctx, SstWriterOptions options) {
    this.ctx = ctx;
    this.options = options;
    this.id = "sstwriter-" + ctx.newId();
    this.blobs = new Blobs(ctx.store());
    long now = ctx.clock().millis();
    this.tableOptions =
        TableOptions.defaults()
            .withBlockSize(options.blockSize())
            .withBloomBitsPerKey(options.bloomBitsPerKey())
            .withCompression(DbWriter.compression(options.compression()))
            .withCreationTimeMillis(now)
            .withDataTimeRange(now, now)
            .withTargetFileSize(options.targetTableSize());
  }

  private String lease() {
    return Lease.objectName(id);
  }

  private void addToLease(String objectName) {
    leased.add(objectName);
    ctx.store()
        .put(
            lease(), new Lease(id, ++leaseRefresh, options.leaseTtl().toMillis(), leased).encode());
  }

  @Override
  public void put(byte[] key, byte[] value) {
    add(key, value, ValueKind.PUT, 0);
  }

  @Override
  public void put(byte[] key, byte[] value, Duration ttl) {
    add(key, value, ValueKind.PUT_EXPIRING, WriteChecks.expiry(key, ttl, ctx.clock().millis()));
  }

  @Override
  public void delete(byte[] key) {
    add(key, new byte[0], ValueKind.DELETE, 0);
  }

  private void add(byte[] key, byte[] value, ValueKind kind, long expiresAt) {
    if (closed || finished) {
      throw IsleException.closed("SST writer " + id);
    }
    WriteChecks.check(key, value);
    byte[] k = key.clone();
    byte[] v = value;
    if (!kind.isTombstone() && value.length >= options.blobThreshold()) {
      // The lease names the blob before the upload starts.
      BlobRef ref =
          blobs.upload(value, Blobs.sha256(value), ctx.options().idSource(), this::addToLease);
      v = ref.encode();
      kind = kind.hasExpiry() ? ValueKind.BLOB_EXPIRING : ValueKind.BLOB;
    } else {
      v = value.clone();
    }
    if (options.sortedInput()) {
      if (lastSortedKey != null && Bytes.compare(k, lastSortedKey) <= 0) {
        throw IsleException.invalidArgument(
            "sorted input: key "
                + Bytes.describe(k)
                + " does not follow "
                + Bytes.describe(lastSortedKey));
      }
      if (sorted == null) {
        sorted =
            new TableOutput(
                ctx.store(),
                ctx.options().idSource(),
                tableOptions,
                options.targetTableSize(),
                t -> addToLease(io.isledb.manifest.ManifestPaths.sst(t)));
      }
      sorted.add(k, LOCAL_SEQ, kind, expiresAt, v);
      lastSortedKey = k;
      return;
    }
    Pending old = buffer.put(k, new Pending(kind, expiresAt, v));
    bufferBytes += k.length + v.length + 64 - (old == null ? 0 : old.value.length + k.length + 64);
    if (bufferBytes >= options.bufferBytes()) {
      writeBuffer();
    }
  }

  private void writeBuffer() {
    if (buffer.isEmpty()) {
      return;
    }
    try (TableOutput out =
        new TableOutput(
            ctx.store(),
            ctx.options().idSource(),
            tableOptions,
            options.targetTableSize(),
            t -> addToLease(io.isledb.manifest.ManifestPaths.sst(t)))) {
      for (Map.Entry<byte[], Pending> e : buffer.entrySet()) {
        out.add(
            e.getKey(), LOCAL_SEQ, e.getValue().kind, e.getValue().expiresAt, e.getValue().value);
      }
      for (SstMeta m : out.finish()) {
        handles.add(new SstHandle(m, lease()));
      }
    }
    buffer.clear();
    bufferBytes = 0;
  }

  @Override
  public List<SstHandle> finish() {
    if (closed || finished) {
      throw IsleException.closed("SST writer " + id);
    }
    if (sorted != null) {
      for (SstMeta m : sorted.finish()) {
        handles.add(new SstHandle(m, lease()));
      }
      sorted.close();
      sorted = null;
    }
    writeBuffer();
    finished = true;
    return List.copyOf(handles);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (sorted != null) {
      sorted.close();
    }
    buffer.clear();
  }
}
