package io.isledb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.testing.S3ServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
      // The reader lets the writer replace the object as it starts each read, once the previous
      // replacement landed: every read races exactly one replacement, whatever the machine's load.
      // That is far more often than a real CURRENT is replaced (every snapshotEvery edits), and
      // never more than the reader's retries absorb; a writer replacing it at its own pace could
      // outrun every retry of a read on a slow machine (it did, under CI load).
      Semaphore replace = new Semaphore(0);
      Semaphore landed = new Semaphore(1); // version 0 is in place
      Thread t =
          new Thread(
              () -> {
                try {
                  for (int i = 1; ; i++) {
                    replace.acquire();
                    if (stop.get()) {
                      return;
                    }
                    writer.put("manifest/CURRENT", version(i));
                    landed.release();
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
          assertThat(landed.tryAcquire(60, TimeUnit.SECONDS))
              .as("replacement %d landed (writer failure: %s)", i, writeFailure.get())
              .isTrue();
          replace.release();
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
        replace.release();
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
