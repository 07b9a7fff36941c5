package io.isledb.db;

import static io.isledb.db.SharedResourcesTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleResources;
import io.isledb.IsleResourcesOptions;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.testing.S3ServerExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Several databases in one bucket share one s3a FileSystem and the shared pools and caches. */
class SharedResourcesS3aITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @TempDir Path dir;

  @Test
  void databasesInOneBucketShareOneFileSystem() {
    int n = 4;
    try (IsleResources res =
        IsleResources.create(
            IsleResourcesOptions.defaults().withFlushThreads(2).withBlockCacheBytes(1 << 20))) {
      List<ObjectStore> stores = new ArrayList<>();
      List<IsleDB> dbs = new ArrayList<>();
      try {
        for (int i = 0; i < n; i++) {
          ObjectStore s = res.openStore(S3.uri(), S3.newPrefix("shared" + i), S3.hadoopConf());
          stores.add(s);
          dbs.add(IsleDB.open(s, DBOptions.defaults(), res));
        }
        assertThat(res.openFileSystems()).isEqualTo(1);
        for (int i = 0; i < n; i++) {
          try (Writer w = dbs.get(i).openWriter(WriterOptions.defaults())) {
            for (int k = 0; k < 50; k++) {
              w.put(bytes("k" + k), bytes("db" + i + "-v" + k));
            }
          }
        }
        for (int i = 0; i < n; i++) {
          try (Reader r =
              dbs.get(i).openReader(ReaderOptions.defaults().withCacheDir(dir.resolve("c" + i)))) {
            for (int k = 0; k < 50; k++) {
              assertThat(r.get(bytes("k" + k)).map(SharedResourcesTest::string))
                  .contains("db" + i + "-v" + k);
            }
          }
        }
        assertThat(SharedResourcesTest.sharedThreads())
            .isLessThanOrEqualTo(2 + 2 + 2 + 4); // flush, compaction, maintenance, download
      } finally {
        dbs.forEach(IsleDB::close);
        for (int i = 0; i < stores.size(); i++) {
          stores.get(i).close();
          assertThat(res.openFileSystems()).isEqualTo(i == stores.size() - 1 ? 0 : 1);
        }
      }
    }
  }
}
