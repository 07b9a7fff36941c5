package io.isledb.db.read;

import io.isledb.sst.ValueKind;
import io.isledb.util.Internal;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Merges cursors into one stream in internal key order (user key ascending, sequence descending).
 * Every version is emitted; callers that want the newest version per key skip the rest.
 */
@Internal
public final class MergingCursor implements Cursor {
  private final List<Cursor> inputs;
  private final PriorityQueue<Cursor> heap;
  private Cursor top;

  public MergingCursor(List<Cursor> inputs) {
    this.inputs = inputs;
    this.heap =
        new PriorityQueue<>(
            Math.max(1, inputs.size()),
            (a, b) -> {
              // Compares the cursors' key buffers in place: a copy per comparison was most of a
              // merge's allocation.
              int c =
                  Arrays.compareUnsigned(
                      a.keyArray(), 0, a.keyLength(), b.keyArray(), 0, b.keyLength());
              return c != 0 ? c : Long.compare(b.seq(), a.seq());
            });
    for (Cursor c : inputs) {
      if (c.valid()) {
        heap.add(c);
      }
    }
    top = heap.poll();
  }

  @Override
  public boolean valid() {
    return top != null;
  }

  @Override
  public void next() {
    top.next();
    if (top.valid()) {
      heap.add(top);
    }
    top = heap.poll();
  }

  /** Lets each input at {@code key} skip it its own way (a memtable run jumps over versions). */
  @Override
  public void skipPast(byte[] key) {
    while (top != null && Arrays.equals(top.keyArray(), 0, top.keyLength(), key, 0, key.length)) {
      top.skipPast(key);
      if (top.valid()) {
        heap.add(top);
      }
      top = heap.poll();
    }
  }

  @Override
  public byte[] userKey() {
    return top.userKey();
  }

  @Override
  public byte[] keyArray() {
    return top.keyArray();
  }

  @Override
  public int keyLength() {
    return top.keyLength();
  }

  @Override
  public long seq() {
    return top.seq();
  }

  @Override
  public ValueKind kind() {
    return top.kind();
  }

  @Override
  public long expiresAt() {
    return top.expiresAt();
  }

  @Override
  public byte[] value() {
    return top.value();
  }

  @Override
  public String where() {
    return top.where();
  }

  @Override
  public String home() {
    return top.home();
  }

  @Override
  public void close() {
    for (Cursor c : inputs) {
      c.close();
    }
  }
}
