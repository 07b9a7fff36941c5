package io.isledb.manifest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Reads the log edits a listing shows after a snapshot with concurrent requests. An open replays
 * the log tail after the newest snapshot (up to {@code snapshotEvery} edits); read one after the
 * other they cost one round trip each, which on an object store is most of a restore's time. The
 * listing says which slots hold edits, so they can all be asked for at once.
 */
final class LogTail {
  /** Requests in flight per load at most; beyond that the loading thread reads itself. */
  static final int MAX_CONCURRENT = 8;

  private LogTail() {}

  /**
   * The slots of {@code listed} (ascending) that follow {@code afterSeq} without a gap, at most
   * {@code max} of them.
   */
  static List<Long> consecutiveAfter(List<Long> listed, long afterSeq, long max) {
    List<Long> out = new ArrayList<>();
    long next = afterSeq + 1;
    for (long seq : listed) {
      if (seq < next) {
        continue;
      }
      if (seq != next || out.size() >= max) {
        break;
      }
      out.add(seq);
      next++;
    }
    return out;
  }

  /**
   * The edits of {@code slots} (consecutive, ascending), read concurrently, in slot order and
   * stopping before the first slot found free or empty (collected meanwhile, or an ABFS create not
   * committed yet): the same prefix a one-by-one read would return.
   */
  static List<byte[]> read(ManifestStore store, List<Long> slots) {
    List<byte[]> out = new ArrayList<>(slots.size());
    for (int i = 0; i < slots.size(); i += MAX_CONCURRENT) {
      List<Long> batch = slots.subList(i, Math.min(slots.size(), i + MAX_CONCURRENT));
      List<CompletableFuture<Optional<byte[]>>> reads = new ArrayList<>(batch.size());
      for (long seq : batch) {
        reads.add(MetadataReads.start(() -> store.readLog(seq)));
      }
      for (CompletableFuture<Optional<byte[]>> r : reads) {
        Optional<byte[]> e = MetadataReads.join(r);
        if (e.isEmpty() || e.get().length == 0) {
          return out;
        }
        out.add(e.get());
      }
    }
    return out;
  }
}
