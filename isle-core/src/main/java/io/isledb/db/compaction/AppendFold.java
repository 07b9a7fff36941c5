package io.isledb.db.compaction;

import io.isledb.db.BlobRef;
import io.isledb.db.Blobs;
import io.isledb.db.TableOutput;
import io.isledb.db.read.Appends;
import io.isledb.db.read.Cursor;
import io.isledb.sst.SstFormat;
import io.isledb.sst.ValueKind;
import io.isledb.util.Bytes;
import java.util.Arrays;

/**
 * Compaction of a key whose newest version is an append operand. The operands are read down to the
 * first version that is not one (the base), then:
 *
 * <ul>
 *   <li>base reached (a PUT, a deletion, an expired entry, or none below a bottommost compaction):
 *       one PUT of the resolved value at the newest operand's sequence number, seen by the
 *       compaction filter like any value;
 *   <li>no base among the inputs (older runs may hold one): one operand, the operands concatenated;
 *   <li>a base that cannot be folded (a blob reference, a live entry with an expiry, or a resolved
 *       value over the inline limit): the combined operand, then the base unchanged.
 * </ul>
 *
 * Operands are never turned into blobs (the compactor writes no blobs); an operand or value over
 * {@link SstFormat#MAX_VALUE_LENGTH} is kept as separate versions.
 */
final class AppendFold {
  private static final byte[] EMPTY = new byte[0];
  private final Blobs blobs;
  private final long now;
  private final Filtering filter;
  private final boolean bottommost;
  private final Appends appends = new Appends();
  private final long[] counts = new long[3]; // read, written, filtered
  private byte[][] ops = new byte[4][]; // the key's operands, newest first
  private long[] opSeqs = new long[4];
  private int opCount;

  AppendFold(Blobs blobs, long now, Filtering filter, boolean bottommost) {
    this.blobs = blobs;
    this.now = now;
    this.filter = filter;
    this.bottommost = bottommost;
  }

  long read() {
    return counts[0];
  }

  long written() {
    return counts[1];
  }

  long filtered() {
    return counts[2];
  }

  /**
   * Compacts {@code key}: its newest version (seq {@code seq}, value {@code operand}) was read
   * already and {@code merged} is at the next version. Leaves {@code merged} past the base (the
   * caller skips the key's older versions).
   */
  void fold(TableOutput out, Cursor merged, byte[] key, long seq, byte[] operand) {
    appends.clear();
    opCount = 0;
    keep(seq, operand);
    ValueKind baseKind = null;
    long baseExpiry = 0;
    byte[] base = null;
    String home = null;
    long baseSeq = 0;
    while (merged.valid()
        && Arrays.equals(merged.keyArray(), 0, merged.keyLength(), key, 0, key.length)) {
      ValueKind kind = merged.kind();
      counts[0]++;
      if (kind.isAppend()) {
        keep(merged.seq(), merged.value());
        merged.next();
        continue;
      }
      baseKind = kind;
      baseExpiry = merged.expiresAt();
      base = merged.value();
      home = merged.home();
      baseSeq = merged.seq();
      merged.next();
      break;
    }
    if (baseKind != null && home != null && baseKind.isBlob()) {
      // A fork owns no copy of a borrowed table's blob: the value moves inline (as DbCompactor).
      base =
          blobs.read(
              BlobRef.decode(base, "table in " + home),
              "key " + Bytes.describe(key) + " of a table in " + home,
              home);
      baseKind = baseKind.hasExpiry() ? ValueKind.PUT_EXPIRING : ValueKind.PUT;
    }
    boolean expired = baseKind != null && baseKind.hasExpiry() && baseExpiry <= now;
    boolean gone = baseKind != null && (baseKind.isTombstone() || expired);
    // Foldable: the base's value is known and final (a live blob or expiring entry is kept as is).
    boolean reached = gone || baseKind == ValueKind.PUT || (baseKind == null && bottommost);
    long size = appends.bytes() + (baseKind == ValueKind.PUT ? base.length : 0);
    if (reached && size <= SstFormat.MAX_VALUE_LENGTH) {
      byte[] value = appends.concat(baseKind == ValueKind.PUT ? base : null);
      if (!filter.drops(key, ValueKind.PUT, value)) {
        write(out, key, seq, ValueKind.PUT, 0, value);
      } else {
        counts[2]++;
        if (!bottommost) {
          // A deletion at the same sequence number keeps older versions in older runs hidden.
          write(out, key, seq, ValueKind.DELETE, 0, EMPTY);
        }
      }
      return;
    }
    if (appends.bytes() <= SstFormat.MAX_VALUE_LENGTH) {
      write(out, key, seq, ValueKind.APPEND, 0, appends.concat(null));
    } else {
      // Too large to combine: every operand as it was, with its own sequence number.
      for (int i = 0; i < opCount; i++) {
        write(out, key, opSeqs[i], ValueKind.APPEND, 0, ops[i]);
      }
    }
    if (baseKind != null && !(bottommost && gone)) {
      write(out, key, baseSeq, baseKind, baseKind.hasExpiry() ? baseExpiry : 0, base);
    }
  }

  private void keep(long opSeq, byte[] op) {
    if (opCount == ops.length) {
      ops = Arrays.copyOf(ops, opCount * 2);
      opSeqs = Arrays.copyOf(opSeqs, opCount * 2);
    }
    ops[opCount] = op;
    opSeqs[opCount++] = opSeq;
    appends.add(op);
  }

  private void write(TableOutput out, byte[] key, long seq, ValueKind k, long exp, byte[] v) {
    out.add(key, seq, k, exp, v);
    counts[1]++;
  }
}
