package io.isledb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kvfile demo: what it prints and what its database holds afterwards. */
class KvFileITCase {
  @TempDir Path dir;

  @Test
  void demoWritesReadsAndTails() throws Exception {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      KvFile.main(new String[] {dir.toString()});
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(out)
        .contains("reader: get hello -> world")
        .contains("reader: get key-3 -> (absent)")
        .contains("tail: 12 changes");
    try (ObjectStore store = IsleDB.openStore(dir.toUri().toString(), "kvfile");
        Reader r = IsleDB.openReader(store, ReaderOptions.defaults())) {
      assertThat(r.get("key-9".getBytes(StandardCharsets.UTF_8)))
          .map(v -> new String(v, StandardCharsets.UTF_8))
          .contains("value-9");
      assertThat(r.get("key-3".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }
  }
}
