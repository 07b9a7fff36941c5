package io.isledb.db;

import io.isledb.IsleDB;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Test helper: external tables built with an {@link SstWriter}, ready for {@code db.commit}. */
final class ExternalTables {
  private ExternalTables() {}

  /** One table holding {@code key -> value}. */
  static List<SstHandle> of(IsleDB db, String key, String value) {
    try (SstWriter sw = db.newSstWriter(SstWriterOptions.defaults())) {
      sw.put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
      return sw.finish();
    }
  }
}
