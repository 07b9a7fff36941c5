package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RequestStats;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.testing.S3ServerExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Request costs of the engine's hot operations on a real S3 server, counted on the wire (S3A's own
 * HTTP statistics), not only by IsleDB's counters.
 */
class S3aCostITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private static final String GET = "action_http_get_request";
  private static final String HEAD = "object_metadata_request";
  private static final String PUT = "object_put_request";
  private static final String LIST = "object_list_request";
  private static final String ALL = "store_io_request";

  private static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static void fill(Writer w, int from, int n) {
    byte[] v = new byte[100];
    for (int i = from; i < from + n; i++) {
      ByteBuffer.wrap(v).putInt(i);
      w.put(key(i), v.clone());
    }
  }

  @Test
  void flushIsOneTablePutPlusOneLogPut() {
    try (ObjectStore store = S3.openStore("cost-flush");
        IsleDB db = IsleDB.open(store, DBOptions.defaults().withSnapshotEvery(1000));
        Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
      for (int round = 0; round < 3; round++) {
        fill(w, round * 1000, 1000);
        RequestStats before = store.stats();
        w.flush();
        RequestStats cost = store.stats().minus(before);
        assertThat(cost.backend(PUT)).as("HTTP PUTs of one flush: %s", cost.backend()).isEqualTo(2);
        assertThat(cost.backend(HEAD) + cost.backend(LIST) + cost.backend(GET))
            .as("no probes: %s", cost.backend())
            .isZero();
      }
    }
  }

  @Test
  void idleRefreshColdLookupAndIdleTailPoll() {
    try (ObjectStore store = S3.openStore("cost-read");
        IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      try (Writer w =
          db.openWriter(
              WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlockSize(4096))) {
        fill(w, 0, 20_000);
      }
      try (Reader r =
          db.openReader(ReaderOptions.defaults().withSmallTableBytes(0).withDiskCacheBytes(0))) {
        RequestStats before = store.stats();
        r.refresh();
        RequestStats idle = store.stats().minus(before);
        assertThat(idle.backend(ALL))
            .as("idle refresh on the wire: %s", idle.backend())
            .isEqualTo(1);

        before = store.stats();
        assertThat(r.get(key(4321))).isPresent();
        RequestStats cold = store.stats().minus(before);
        assertThat(cold.backend(GET))
            .as("cold open + lookup: %s", cold.backend())
            .isLessThanOrEqualTo(2);
        assertThat(cold.backend(HEAD)).isZero();

        before = store.stats();
        assertThat(r.get(key(9876))).isPresent();
        assertThat(store.stats().minus(before).backend(GET))
            .as("second cold lookup in an open table")
            .isLessThanOrEqualTo(1);
      }
      try (TailingReader t = db.openTailingReader(TailingReaderOptions.defaults())) {
        TailPosition end = t.latest();
        t.poll(end, 10);
        RequestStats before = store.stats();
        TailBatch b = t.poll(end, 10);
        assertThat(b.changes()).isEmpty();
        assertThat(store.stats().minus(before).backend(ALL))
            .as("idle tail poll on the wire")
            .isEqualTo(1);
      }
    }
  }
}
