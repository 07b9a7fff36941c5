package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.IsleResources;
import io.isledb.IsleResourcesOptions;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.storage.InMemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link IsleResources#share}: a group of databases with its own memtable budget and block cache on
 * the pools of its parent (the managed memory of a Flink slot).
 */
class ResourceShareTest {
  private static final IsleResourcesOptions SIZES =
      IsleResourcesOptions.defaults()
          .withFlushThreads(1)
          .withCompactionThreads(1)
          .withMaintenanceThreads(1)
          .withDownloadThreads(1)
          .withBlockCacheBytes(1 << 20)
          .withMemtableBudgetBytes(64 << 20)
          .withDiskCacheBytes(0);
  private static final String PAD = "x".repeat(1000);
  // A memtable far larger than the share's budget: only the budget can make these writers flush.
  private static final WriterOptions WRITER =
      WriterOptions.defaults().withFlushInterval(Duration.ZERO).withMemtableSize(64 << 20);

  @Test
  void writersOfAShareFlushWithinItsBudgetAndReleaseItOnClose() {
    long budgetBytes = 16 << 10;
    try (IsleResources parent = IsleResources.create(SIZES)) {
      ResourceShare share = (ResourceShare) parent.share(budgetBytes, 0);
      List<IsleDB> dbs = new ArrayList<>();
      List<Writer> writers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        IsleDB db = IsleDB.open(new InMemoryObjectStore(), DBOptions.defaults(), share);
        dbs.add(db);
        writers.add(db.openWriter(WRITER));
      }
      writers.get(0).put(bytes("first"), bytes(PAD));
      // The share's bytes are its own and count in the parent's total; the parent's budget is idle.
      assertThat(share.memtableBytes()).isPositive();
      assertThat(parent.memtableBytes()).isEqualTo(share.memtableBytes());
      assertThat(((SharedResourcesImpl) parent).budget().used()).isZero();
      for (int n = 0; n < 30; n++) {
        for (Writer w : writers) {
          w.put(bytes(String.format("k%03d", n)), bytes(PAD));
        }
      }
      // 90 KiB written into a 16 KiB budget: flushes happened, and the total stayed within it
      // (over by at most one entry of the one writing thread).
      long committed = writers.stream().mapToLong(Writer::lastCommittedVersion).sum();
      assertThat(committed).isPositive();
      assertThat(share.budget().peak()).isGreaterThanOrEqualTo(budgetBytes);
      assertThat(share.budget().peak()).isLessThanOrEqualTo(budgetBytes + 1200L);
      assertThat(share.memtableBytes()).isPositive();
      for (IsleDB db : dbs) {
        db.close(); // flushes what is left and leaves the budget
      }
      assertThat(share.memtableBytes()).isZero();
      assertThat(parent.memtableBytes()).isZero();
      share.close();
      IsleDB late = IsleDB.open(new InMemoryObjectStore(), DBOptions.defaults(), share);
      assertThatThrownBy(() -> late.openWriter(WRITER))
          .isInstanceOf(IsleException.class)
          .satisfies(
              e -> assertThat(((IsleException) e).kind()).isEqualTo(IsleException.Kind.CLOSED));
      late.close();
      // The parent stays open for other databases.
      IsleDB other = IsleDB.open(new InMemoryObjectStore(), DBOptions.defaults(), parent);
      try (Writer w = other.openWriter(WRITER)) {
        w.put(bytes("a"), bytes("b"));
        assertThat(parent.memtableBytes()).isPositive();
      }
      other.close();
    }
  }

  @Test
  void aShareReadsThroughItsOwnBlockCache() {
    try (IsleResources parent = IsleResources.create(SIZES);
        IsleResources cached = parent.share(1 << 20, 256 << 10);
        IsleResources uncached = parent.share(1 << 20, 0)) {
      assertThat(cached.options().blockCacheBytes()).isEqualTo(256 << 10);
      assertThat(cached.options().memtableBudgetBytes()).isEqualTo(1 << 20);
      assertThat(cached.options().flushThreads()).isEqualTo(1);
      readOnce(cached);
      readOnce(uncached);
      assertThat(cached.blockCacheBytes()).isPositive().isLessThanOrEqualTo(256 << 10);
      assertThat(uncached.blockCacheBytes()).isZero();
      assertThat(parent.blockCacheBytes()).isZero();
    }
  }

  @Test
  void badSizesAndAClosedParentAreRefused() {
    IsleResources parent = IsleResources.create(SIZES);
    assertThatThrownBy(() -> parent.share(0, 0))
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("memtableBudgetBytes");
    assertThatThrownBy(() -> parent.share(1, -1))
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("blockCacheBytes");
    assertThat(parent.memtableBytes()).isZero();
    parent.close();
    assertThatThrownBy(() -> parent.share(1, 0))
        .isInstanceOf(IsleException.class)
        .satisfies(
            e -> assertThat(((IsleException) e).kind()).isEqualTo(IsleException.Kind.CLOSED));
  }

  private static void readOnce(IsleResources resources) {
    InMemoryObjectStore store = new InMemoryObjectStore();
    IsleDB db = IsleDB.open(store, DBOptions.defaults(), resources);
    try {
      try (Writer w = db.openWriter(WRITER)) {
        for (int n = 0; n < 20; n++) {
          w.put(bytes(String.format("k%03d", n)), bytes(PAD));
        }
        w.flush();
      }
      try (Reader r = db.openReader(ReaderOptions.defaults());
          ReadView v = r.snapshot()) {
        for (int n = 0; n < 20; n++) {
          assertThat(v.get(bytes(String.format("k%03d", n)))).isPresent();
        }
      }
    } finally {
      db.close();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
