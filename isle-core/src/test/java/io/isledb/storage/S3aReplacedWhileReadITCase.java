package io.isledb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.testing.S3ServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Objects rewritten in place (CURRENT, pins, leases, GC state) are read while other processes
 * replace them. S3A reads an object of unknown size with a HEAD and a GET conditional on the HEAD's
 * etag, so a replacement in between fails the GET with 412; that must read as the new version, not
 * as a storage failure (found by the fencing test: a writer process failed to open while another
 * rewrote CURRENT).
 */
class S3aReplacedWhileReadITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @Test
  void readsOfAnObjectBeingReplacedReturnOneWholeVersion() throws Exception {
    try (ObjectStore writer = S3.openStore("replaced");
        ObjectStore reader =
            IsleDB.openStore(
                S3.uri(), writer.location().replaceAll("^.*isledb-test/", ""), S3.hadoopConf())) {
      writer.put("manifest/CURRENT", version(0));
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> writeFailure = new AtomicReference<>();
      Thread t =
          new Thread(
              () -> {
                try {
                  for (int i = 1; !stop.get(); i++) {
                    writer.put("manifest/CURRENT", version(i));
                    // A replacement every 10-30 ms: far more often than a real CURRENT (every
                    // snapshotEvery edits), often enough that many reads overlap one.
                    Thread.sleep(10 + i % 20);
                  }
                } catch (Throwable e) {
                  writeFailure.set(e);
                }
              });
      t.start();
      int distinct = 0;
      String last = null;
      try {
        for (int i = 0; i < 80; i++) {
          Optional<byte[]> got = reader.get("manifest/CURRENT");
          assertThat(got).isPresent();
          String s = new String(got.get(), StandardCharsets.UTF_8);
          assertThat(s).matches("version \\d+ x{4000}");
          if (!s.equals(last)) {
            distinct++;
            last = s;
          }
          Optional<byte[]> head = reader.getRange("manifest/CURRENT", 0, 10);
          assertThat(head)
              .hasValueSatisfying(h -> assertThat(new String(h)).startsWith("version "));
        }
      } finally {
        stop.set(true);
        t.join();
      }
      assertThat(writeFailure.get()).isNull();
      assertThat(distinct).as("versions seen while the object was replaced").isGreaterThan(10);
    }
  }

  private static byte[] version(int i) {
    return ("version " + i + " " + "x".repeat(4000)).getBytes(StandardCharsets.UTF_8);
  }
}
