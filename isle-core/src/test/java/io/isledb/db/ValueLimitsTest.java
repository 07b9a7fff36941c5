package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.sst.SstFormat;
import io.isledb.storage.InMemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 item 9: the size limits form one coherent set, so every value {@code put} accepts can be
 * flushed. Before, {@code blobThreshold} was unbounded: with a threshold of 128 MiB a 65 MiB put
 * was accepted (below the 256 MiB put limit) and kept inline, the flush then hit the table's 64 MiB
 * inline limit, and the writer died with "2 accepted writes that were not yet flushed are lost".
 */
class ValueLimitsTest {
  private static final int INLINE = WriterOptions.MAX_INLINE_VALUE_SIZE;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] filled(int length, int seed) {
    byte[] v = new byte[length];
    Arrays.fill(v, (byte) seed);
    v[length - 1] = (byte) (seed + 1);
    return v;
  }

  private static IsleDB open(ObjectStore store) {
    return IsleDB.open(store, DBOptions.defaults().withIdSource(Ids.seededSource(9)));
  }

  @Test
  void limitsAreOneCoherentSet() {
    assertThat(WriterOptions.MAX_KEY_SIZE).isEqualTo(SstFormat.MAX_KEY_LENGTH);
    assertThat(WriterOptions.MAX_INLINE_VALUE_SIZE).isEqualTo(SstFormat.MAX_VALUE_LENGTH);
    assertThat(WriterOptions.MAX_VALUE_SIZE).isGreaterThanOrEqualTo(INLINE);
  }

  @Test
  void aBlobThresholdAboveTheInlineLimitIsRejectedWhenTheOptionIsBuilt() {
    for (int bad : new int[] {INLINE + 1, 128 << 20, Integer.MAX_VALUE, 0, -1}) {
      assertThatThrownBy(() -> WriterOptions.defaults().withBlobThreshold(bad))
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
          .hasMessageContaining("blobThreshold must be in [1, " + INLINE + "]")
          .hasMessageContaining("got " + bad);
      assertThatThrownBy(() -> SstWriterOptions.defaults().withBlobThreshold(bad))
          .isInstanceOfSatisfying(
              IsleException.class,
              e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
          .hasMessageContaining("blobThreshold must be in [1, " + INLINE + "]")
          .hasMessageContaining("got " + bad);
    }
    assertThat(WriterOptions.defaults().withBlobThreshold(INLINE).blobThreshold())
        .isEqualTo(INLINE);
    assertThat(SstWriterOptions.defaults().withBlobThreshold(INLINE).blobThreshold())
        .isEqualTo(INLINE);
  }

  /**
   * The largest allowed threshold keeps the largest inline value inline and sends one byte more to
   * a blob: both flush, with the write buffered before them.
   */
  @Test
  void everyValueAcceptedAtTheLargestThresholdFlushes() {
    try (ObjectStore store = new InMemoryObjectStore();
        IsleDB db = open(store)) {
      WriterOptions o =
          WriterOptions.defaults().withFlushInterval(Duration.ZERO).withBlobThreshold(INLINE);
      byte[] inline = filled(INLINE - 1, 1);
      byte[] blob = filled(INLINE + (1 << 20), 2);
      try (Writer w = db.openWriter(o)) {
        w.put(b("buffered"), b("1"));
        w.put(b("inline"), inline);
        w.put(b("blob"), blob);
        w.flush();
      }
      try (Reader r = db.openReader(ReaderOptions.defaults())) {
        assertThat(r.get(b("buffered"))).hasValue(b("1"));
        assertThat(r.get(b("inline"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(inline));
        assertThat(r.get(b("blob"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(blob));
      }
      assertThat(LiveObjects.listing(store)).anyMatch(n -> n.startsWith("blobs/"));
    }
  }

  @Test
  void anSstWriterStoresEveryValueItAccepts() {
    try (ObjectStore store = new InMemoryObjectStore();
        IsleDB db = open(store)) {
      byte[] blob = filled(INLINE + (1 << 20), 3);
      try (SstWriter sw = db.newSstWriter(SstWriterOptions.defaults().withBlobThreshold(INLINE))) {
        sw.put(b("a"), b("1"));
        sw.put(b("b"), blob);
        // Too large for any blob: refused at put, naming key, size and limit; nothing is lost.
        byte[] huge = new byte[WriterOptions.MAX_VALUE_SIZE + 1];
        assertThatThrownBy(() -> sw.put(b("huge"), huge))
            .isInstanceOfSatisfying(
                IsleException.class,
                e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
            .hasMessageContaining("key 0x68756765")
            .hasMessageContaining(
                (WriterOptions.MAX_VALUE_SIZE + 1)
                    + " bytes; the limit is "
                    + WriterOptions.MAX_VALUE_SIZE);
        db.commit(sw.finish(), "values-1");
      }
      try (Reader r = db.openReader(ReaderOptions.defaults())) {
        assertThat(r.get(b("a"))).hasValue(b("1"));
        assertThat(r.get(b("b"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(blob));
        assertThat(r.get(b("huge"))).isEmpty();
      }
    }
  }

  @Test
  void aRejectedPutLeavesTheWriterAndItsBufferedWritesIntact() {
    try (ObjectStore store = new InMemoryObjectStore();
        IsleDB db = open(store)) {
      try (Writer w = db.openWriter(WriterOptions.defaults().withFlushInterval(Duration.ZERO))) {
        w.put(b("before"), b("1"));
        byte[] huge = new byte[WriterOptions.MAX_VALUE_SIZE + 1];
        byte[] longKey = filled(100, 'k');
        assertThatThrownBy(() -> w.put(longKey, huge))
            .isInstanceOfSatisfying(
                IsleException.class,
                e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
            // the key is named, truncated
            .hasMessageContaining("value for key 0x" + "6b".repeat(32) + "... (100 bytes)")
            .hasMessageContaining("the limit is " + WriterOptions.MAX_VALUE_SIZE);
        w.put(b("after"), b("2"));
        w.flush();
      }
      try (Reader r = db.openReader(ReaderOptions.defaults())) {
        assertThat(r.get(b("before"))).hasValue(b("1"));
        assertThat(r.get(b("after"))).hasValue(b("2"));
      }
    }
  }
}
