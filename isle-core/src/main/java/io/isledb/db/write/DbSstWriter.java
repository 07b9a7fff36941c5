package io.isledb.db.write;

import io.isledb.IsleException;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.db.BlobRef;
import io.isledb.db.Blobs;
import io.isledb.db.DbContext;
import io.isledb.db.RoleLifecycle;
import io.isledb.db.TableOutput;
import io.isledb.manifest.Lease;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.SstHandleCodec;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.TableOptions;
import io.isledb.sst.ValueKind;
import io.isledb.util.Bytes;
import io.isledb.util.Internal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds external tables. The commit gives each table a global sequence number, in handle order, so
 * later tables shadow earlier ones; every entry reads as that number, so the stored one is free:
 * each table's i-th entry (key order) is stored with sequence number i and the table is marked
 * {@code seq-is-ordinal}, which lets a range-restricted tailing reader rank an entry without
 * reading the blocks before it (docs/PROTOCOL.md §8). Tables written before the mark stored 1.
 * Uploads are covered by a lease ({@code manifest/leases/<writer id>.json}) that keeps GC away from
 * them until the commit deletes it, or its ttl runs out.
 *
 * <p>The lease names every object before its upload starts, without being rewritten per upload
 * (which cost O(n) bytes per upload, O(n^2) in all): blobs get uniquifiers counted under a random
 * prefix the lease declares once ({@link Lease#blobUniquifierPrefixes()}), and table ids are drawn
 * in advance and listed in batches that double in size. The lease is rewritten only to declare a
 * new batch or prefix, before an upload when its last write is a quarter of GC's window old (the
 * larger of the lease ttl and the grace period; GC keeps a lease while it changes within that
 * window), and once in {@link #finish()}, so the handles are safe for the whole window after it.
 * For n blobs and t tables that is O(log t) + (elapsed time / quarter window) + 2 PUTs of O(t)
 * bytes each.
 */
@Internal
public final class DbSstWriter extends KindedWrites implements SstWriter {
  /** Passed to the table output, which replaces it with the entry's place in its table. */
  static final long LOCAL_SEQ = 1;

  /** Low bits of a blob uniquifier counted under one declared prefix (the top 40 bits). */
  static final int BLOB_COUNTER_BITS = 24;

  /** Hex digits of a declared blob uniquifier prefix: the 40 bits above the counter. */
  static final int BLOB_PREFIX_HEX = 16 - BLOB_COUNTER_BITS / 4;

  /** Table ids declared by the first batch; each later batch doubles the total. */
  static final int FIRST_TABLE_BATCH = 4;

  private final DbContext ctx;
  private final SstWriterOptions options;
  private final String id;
  private final Blobs blobs;
  private final TableOptions tableOptions;
  private final List<SstHandle> handles = new ArrayList<>();
  // Lease state: everything declared so far (names stay declared until the commit deletes the
  // lease; a declared name without an object costs nothing).
  private final List<String> declaredTables = new ArrayList<>();
  private final ArrayDeque<byte[]> unusedTableIds = new ArrayDeque<>();
  private final List<String> declaredBlobPrefixes = new ArrayList<>();
  private final long leaseRewriteMillis;
  private long blobPrefix;
  private long blobCounter = 1L << BLOB_COUNTER_BITS; // exhausted: the first blob declares one
  private boolean leaseWritten;
  private long leaseWrittenAt;
  // Declarations not yet in the stored lease (its last write failed): written before any upload.
  private boolean leaseStale;
  private final SstBuffer buffer = new SstBuffer();
  private long leaseRefresh;
  private TableOutput sorted;
  private byte[] lastSortedKey;
  private boolean finished;
  private final RoleLifecycle life;
  // Tests only: write tables the way writers before the seq-is-ordinal mark did (every entry seq
  // 1).
  private boolean legacyLocalSeq;

  public DbSstWriter(DbContext ctx, SstWriterOptions options) {
    this.ctx = ctx;
    this.options = options;
    this.id = "sstwriter-" + ctx.newId();
    this.life = new RoleLifecycle("SST writer " + id);
    this.blobs = new Blobs(ctx.store());
    long now = ctx.clock().millis();
    this.tableOptions =
        TableOptions.defaults()
            .withSettings(options.table())
            .withCreationTimeMillis(now)
            .withDataTimeRange(now, now)
            .withTargetFileSize(options.targetTableSize());
    long window = Math.max(options.leaseTtl().toMillis(), ctx.options().gcGracePeriod().toMillis());
    this.leaseRewriteMillis = Math.max(1, window / 4);
  }

  /**
   * Tests only: build unmarked tables, every entry with sequence number 1, as writers before the
   * {@code seq-is-ordinal} mark did (old data must keep tailing through the counting path).
   */
  public void useLegacyLocalSeqForTests() {
    legacyLocalSeq = true;
  }

  private String lease() {
    return Lease.objectName(id);
  }

  private void writeLease() {
    ctx.manifestStore()
        .put(
            lease(),
            new Lease(
                    id,
                    ++leaseRefresh,
                    options.leaseTtl().toMillis(),
                    declaredTables,
                    declaredBlobPrefixes)
                .encode());
    leaseWritten = true;
    leaseStale = false;
    leaseWrittenAt = ctx.clock().millis();
  }

  /**
   * Called right before every upload, whose name the lease already declares: keeps the lease
   * changing (for GC) at least every quarter window while uploads go on.
   */
  private void beforeUpload() {
    if (leaseStale
        || !leaseWritten
        || ctx.clock().millis() - leaseWrittenAt >= leaseRewriteMillis) {
      writeLease();
    }
  }

  /** The next table id; declares a new, twice as large batch in the lease when none is left. */
  private byte[] nextTableId() {
    if (unusedTableIds.isEmpty()) {
      int batch = Math.max(FIRST_TABLE_BATCH, declaredTables.size());
      for (int i = 0; i < batch; i++) {
        byte[] tableId = ctx.options().idSource().get();
        unusedTableIds.add(tableId);
        declaredTables.add(ManifestPaths.sst(Bytes.hex(tableId)));
      }
      leaseStale = true;
      writeLease();
    }
    return unusedTableIds.poll();
  }

  /**
   * The next blob uniquifier: a counter under the declared prefix; declares a new random prefix
   * when the counter is exhausted (every 2^24 blobs).
   */
  private long nextBlobUniquifier() {
    if (blobCounter >= 1L << BLOB_COUNTER_BITS) {
      blobPrefix = Blobs.uniquifier(ctx.options().idSource().get()) & (-1L << BLOB_COUNTER_BITS);
      declaredBlobPrefixes.add(String.format("%016x", blobPrefix).substring(0, BLOB_PREFIX_HEX));
      blobCounter = 0;
      leaseStale = true;
      writeLease();
    }
    return blobPrefix | blobCounter++;
  }

  @Override
  long nowMillis() {
    return ctx.clock().millis();
  }

  @Override
  void writeEntry(byte[] key, byte[] value, ValueKind kind, long expiresAt) {
    if (finished) {
      throw life.closedException();
    }
    life.checkOpen();
    WriteChecks.check(key, value);
    byte[] k = key.clone();
    byte[] v = value;
    if (!kind.isTombstone() && value.length >= options.blobThreshold()) {
      // The lease names the blob before the upload starts.
      BlobRef ref =
          blobs.upload(value, Blobs.sha256(value), nextBlobUniquifier(), name -> beforeUpload());
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
        sorted = tableOutput();
      }
      sorted.add(k, LOCAL_SEQ, kind, expiresAt, v);
      lastSortedKey = k;
      return;
    }
    buffer.add(k, kind, expiresAt, v);
    if (buffer.bytes() >= options.bufferBytes()) {
      // Overwritten rows fill the buffer too; dropped, they may leave too little for a table.
      buffer.sort();
      if (buffer.bytes() >= options.bufferBytes() / 2) {
        writeBuffer();
      } else {
        buffer.compact();
      }
    }
  }

  /** Table ids come from the lease's declared batch; the lease is fresh before each upload. */
  private TableOutput tableOutput() {
    TableOutput out =
        new TableOutput(
            ctx.store(),
            this::nextTableId,
            tableOptions,
            options.targetTableSize(),
            t -> beforeUpload());
    if (!legacyLocalSeq) {
      out.numberEntries();
    }
    return out;
  }

  private void writeBuffer() {
    if (buffer.isEmpty()) {
      return;
    }
    try (TableOutput out = tableOutput()) {
      buffer.forEachLive(
          (key, kind, expiresAt, value) -> out.add(key, LOCAL_SEQ, kind, expiresAt, value));
      for (SstMeta m : out.finish()) {
        handles.add(SstHandleCodec.of(m, lease()));
      }
    }
    buffer.clear();
  }

  @Override
  public List<SstHandle> finish() {
    if (finished) {
      throw life.closedException();
    }
    life.checkOpen();
    if (sorted != null) {
      for (SstMeta m : sorted.finish()) {
        handles.add(SstHandleCodec.of(m, lease()));
      }
      sorted.close();
      sorted = null;
    }
    writeBuffer();
    if (leaseWritten) {
      writeLease(); // the handles are safe for the whole window from now
    }
    finished = true;
    return List.copyOf(handles);
  }

  @Override
  public void close() {
    if (!life.markClosed()) {
      return;
    }
    if (sorted != null) {
      sorted.close();
    }
    buffer.clear();
  }
}
