package io.isledb.testing;

import java.util.Random;
import java.util.function.Supplier;

/**
 * An id source ({@code DBOptions.withIdSource}) drawing 16-byte ids from a seeded random sequence:
 * databases given the same seed get identical table ids, which tests use to prove that shared
 * caches keep databases apart by more than the table id.
 */
public final class SeededIds {
  private SeededIds() {}

  /** Ids of the sequence seeded with {@code seed}; thread-safe. */
  public static Supplier<byte[]> of(long seed) {
    Random ids = new Random(seed);
    return () -> {
      byte[] b = new byte[16];
      synchronized (ids) {
        ids.nextBytes(b);
      }
      return b;
    };
  }
}
