package io.isledb.db.write;

import io.isledb.WriterOptions;
import io.isledb.db.BlobRef;
import io.isledb.db.Blobs;
import io.isledb.db.DbContext;
import io.isledb.db.TableOutput;
import io.isledb.db.read.WriterCache;
import io.isledb.manifest.SstMeta;
import io.isledb.sst.TableOptions;
import io.isledb.sst.ValueKind;
import java.util.Arrays;
import java.util.List;

/**
 * The build-and-upload half of a writer's flush: turns one frozen memtable into uploaded tables,
 * moving values at or over the blob threshold into blobs first (a value uploaded moments ago is
 * reused). Committing the tables stays with {@link DbWriter}, which orders the commits. Thread-safe
 * as far as concurrent flush threads need: {@link Blobs.RecentUploads} is.
 */
final class MemtableFlush {
  private final DbContext ctx;
  private final WriterOptions options;
  private final Blobs blobs;
  private final Blobs.RecentUploads recentBlobs;
  private final WriterCache cache;

  MemtableFlush(
      DbContext ctx, WriterOptions options, long recentBlobWindowMillis, WriterCache cache) {
    this.ctx = ctx;
    this.options = options;
    this.cache = cache;
    this.blobs = new Blobs(ctx.store());
    this.recentBlobs = new Blobs.RecentUploads(recentBlobWindowMillis);
  }

  /**
   * Builds and uploads the tables (blobs first) of the frozen memtable {@code m}, writing them
   * through to the writer's disk cache. With {@code newestVersionOnly}, only the newest entry of
   * each key is written (the first of its run: the sort puts newer sequence numbers first), and
   * below append operands the older versions down to the first that is not one (reads need them).
   * Append operands stay inline whatever their size: a blob reference would change their value.
   */
  List<SstMeta> writeTable(Memtable m) {
    long now = ctx.clock().millis();
    TableOptions topts =
        TableOptions.defaults()
            .withSettings(options.table())
            .withCreationTimeMillis(now)
            .withDataTimeRange(m.minTime(), m.maxTime());
    Memtable.Sorted sorted = m.sorted();
    try (TableOutput out =
        new TableOutput(ctx.store(), ctx.options().idSource(), topts, Long.MAX_VALUE)) {
      out.wrapUploads(cache::writeThrough);
      boolean newestOnly = options.newestVersionOnly();
      boolean keptBelow = false; // the previous entry written was an operand
      for (int i = 0, n = sorted.size(); i < n; i++) {
        boolean older = i > 0 && sameKey(sorted, i - 1, i);
        if (newestOnly && older && !keptBelow) {
          continue;
        }
        ValueKind kind = sorted.kind(i);
        keptBelow = kind.isAppend();
        byte[] value = sorted.valueArray(i);
        int valueOffset = sorted.valueOffset(i);
        int valueLength = sorted.valueLength(i);
        if (!kind.isTombstone() && !kind.isAppend() && valueLength >= options.blobThreshold()) {
          value =
              blobFor(Arrays.copyOfRange(value, valueOffset, valueOffset + valueLength), now)
                  .encode();
          valueOffset = 0;
          valueLength = value.length;
          kind = kind.hasExpiry() ? ValueKind.BLOB_EXPIRING : ValueKind.BLOB;
        }
        out.add(
            sorted.keyArray(i),
            sorted.keyOffset(i),
            sorted.keyLength(i),
            sorted.seq(i),
            kind,
            sorted.expiresAt(i),
            value,
            valueOffset,
            valueLength);
      }
      return out.finish();
    }
  }

  private static boolean sameKey(Memtable.Sorted s, int a, int b) {
    int oa = s.keyOffset(a);
    int ob = s.keyOffset(b);
    return Arrays.equals(
        s.keyArray(a), oa, oa + s.keyLength(a), s.keyArray(b), ob, ob + s.keyLength(b));
  }

  private BlobRef blobFor(byte[] value, long now) {
    byte[] sha = Blobs.sha256(value);
    BlobRef ref = recentBlobs.find(sha, value.length, now);
    if (ref == null) {
      ref = blobs.upload(value, sha, ctx.options().idSource());
      recentBlobs.remember(ref, now);
    }
    return ref;
  }
}
