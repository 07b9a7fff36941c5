package io.isledb.db.compaction;

import io.isledb.RetentionCompactorOptions;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.SstMeta;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/** Chooses the tables retention drops, from the data times recorded in each table. */
final class RetentionPolicy {
  private RetentionPolicy() {}

  static List<SstMeta> pick(ManifestState s, RetentionCompactorOptions o, long now) {
    long cutoff = now - o.retentionPeriod().toMillis();
    List<SstMeta> all = new ArrayList<>(s.allTables());
    // Newest data first; ties by id so every process picks the same tables.
    all.sort(Comparator.comparingLong(SstMeta::maxDataTime).reversed().thenComparing(SstMeta::id));
    List<SstMeta> drop = new ArrayList<>();
    if (o.mode() == RetentionCompactorOptions.Mode.BY_AGE) {
      for (int i = o.retentionCount(); i < all.size(); i++) {
        if (all.get(i).maxDataTime() < cutoff) {
          drop.add(all.get(i));
        }
      }
      return drop;
    }
    long seg = o.segmentDuration().toMillis();
    TreeMap<Long, List<SstMeta>> segments = new TreeMap<>(Comparator.reverseOrder());
    for (SstMeta t : all) {
      segments.computeIfAbsent(Math.floorDiv(t.maxDataTime(), seg), k -> new ArrayList<>()).add(t);
    }
    int keep = Math.max(1, o.retentionCount() / 10);
    int i = 0;
    for (var e : segments.entrySet()) {
      long end = (e.getKey() + 1) * seg;
      if (i >= keep && end <= cutoff) {
        drop.addAll(e.getValue());
      }
      i++;
    }
    return drop;
  }
}
