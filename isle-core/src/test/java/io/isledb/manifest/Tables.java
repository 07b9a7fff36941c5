package io.isledb.manifest;

import java.nio.charset.StandardCharsets;

/** Test helpers that build table metadata. */
final class Tables {
  private Tables() {}

  static String id(int n) {
    return String.format("%032x", n);
  }

  static SstMeta table(int n, String smallest, String largest, long minSeq, long maxSeq) {
    return new SstMeta(
        id(n),
        1000 + n,
        900,
        smallest.getBytes(StandardCharsets.UTF_8),
        largest.getBytes(StandardCharsets.UTF_8),
        minSeq,
        maxSeq,
        0,
        maxSeq - minSeq + 1,
        0,
        0,
        0,
        0,
        1_000,
        2_000,
        3_000,
        0);
  }
}
