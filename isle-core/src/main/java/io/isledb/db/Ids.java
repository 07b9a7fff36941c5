package io.isledb.db;

import io.isledb.IsleException;
import io.isledb.util.Bytes;
import io.isledb.util.Internal;
import java.security.SecureRandom;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Unique ids for tables, blobs and instances: 16 random bytes as 32 hex characters. The source is
 * injectable ({@link io.isledb.DBOptions#idSource()}) so tests are reproducible.
 */
@Internal
public final class Ids {
  private Ids() {}

  /** The default source: a {@link SecureRandom}. */
  public static Supplier<byte[]> secureRandomSource() {
    SecureRandom r = new SecureRandom();
    return () -> {
      byte[] b = new byte[16];
      r.nextBytes(b);
      return b;
    };
  }

  /** A reproducible source for tests. */
  public static Supplier<byte[]> seededSource(long seed) {
    Random r = new Random(seed);
    return () -> {
      byte[] b = new byte[16];
      synchronized (r) {
        r.nextBytes(b);
      }
      return b;
    };
  }

  /** A new 32-hex-character id from {@code source}. */
  public static String next(Supplier<byte[]> source) {
    byte[] b = source.get();
    if (b.length != 16) {
      throw IsleException.invalidArgument(
          "DBOptions.idSource returned " + b.length + " bytes, expected 16");
    }
    return Bytes.hex(b);
  }
}
