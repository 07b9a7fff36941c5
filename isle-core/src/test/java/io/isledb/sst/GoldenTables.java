package io.isledb.sst;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The generator of the golden SSTs checked in under {@code src/test/resources/golden/}: fixed
 * contents ({@link #entries()}) written with fixed options ({@link #options}), once per codec.
 * {@link GoldenSstTest} checks that these files keep reading the same, and that writing the same
 * input again gives the same bytes.
 *
 * <p>The files are format version 1 and must never be regenerated while version 1 is current: a
 * byte difference means the format changed. A new format version adds new golden files next to the
 * old ones (which must keep reading). To write the files, from the repository root:
 *
 * <pre>
 * mvn -q -pl isle-core test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.isledb.sst.GoldenTables \
 *     -Dexec.args=isle-core/src/test/resources/golden
 * </pre>
 */
public final class GoldenTables {
  private GoldenTables() {}

  /** Resource path of the golden file for {@code c}. */
  static String resource(Compression c) {
    return "golden/sst-v1-" + c.name().toLowerCase(Locale.ROOT) + ".sst";
  }

  /** 256-byte blocks (many of them), restart interval 4, 10 bloom bits/key, fixed times. */
  static TableOptions options(Compression c) {
    return TableOptions.defaults()
        .withBlockSize(256)
        .withRestartInterval(4)
        .withBloomBitsPerKey(10)
        .withCompression(c)
        .withZstdLevel(3)
        .withCreationTimeMillis(1_700_000_000_000L)
        .withDataTimeRange(1_690_000_000_000L, 1_699_999_999_999L);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The golden contents, in table order: every kind, the empty key, versions, a long value. */
  static List<Entry> entries() {
    List<Entry> e = new ArrayList<>();
    e.add(new Entry(new byte[0], 7, ValueKind.PUT, 0, b("the empty key")));
    e.add(new Entry(b("a"), 100, ValueKind.PUT, 0, b("a@100")));
    e.add(new Entry(b("a"), 90, ValueKind.DELETE, 0, new byte[0]));
    e.add(new Entry(b("a"), 80, ValueKind.PUT_EXPIRING, 1_800_000_000_000L, b("a@80")));
    e.add(new Entry(b("apple"), 70, ValueKind.BLOB, 0, b("blob:0123456789abcdef")));
    e.add(
        new Entry(
            b("apricot"),
            60,
            ValueKind.BLOB_EXPIRING,
            1_900_000_000_000L,
            b("blob:fedcba9876543210")));
    for (int i = 0; i < 40; i++) {
      String key = String.format(Locale.ROOT, "key-%03d", i);
      if (i % 10 == 3) {
        e.add(new Entry(b(key), 1000 + i, ValueKind.DELETE, 0, new byte[0]));
      } else {
        e.add(
            new Entry(
                b(key), 1000 + i, ValueKind.PUT, 0, b(("value-" + i + " ").repeat(i % 5 + 1))));
      }
    }
    byte[] longValue = new byte[1000];
    for (int i = 0; i < longValue.length; i++) {
      longValue[i] = (byte) (i * 31 % 251);
    }
    e.add(new Entry(b("long-value"), 5, ValueKind.PUT, 0, longValue));
    for (int seq = 50; seq > 40; seq--) {
      e.add(new Entry(b("versions"), seq, ValueKind.PUT, 0, b("v" + seq)));
    }
    e.add(new Entry(new byte[] {(byte) 0xFF, (byte) 0xFF}, 1, ValueKind.PUT, 0, b("ff")));
    return e;
  }

  /** Writes the golden table for {@code c}. */
  static byte[] generate(Compression c) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TableBuilder builder = new TableBuilder(out, options(c))) {
      for (Entry x : entries()) {
        builder.add(x.userKey(), x.seq(), x.kind(), x.expiresAtMillis(), x.value());
      }
      builder.finish();
    }
    return out.toByteArray();
  }

  /** Writes every golden file into the directory {@code args[0]}. */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    for (Compression c : Compression.values()) {
      Path p = dir.resolve(resource(c).substring("golden/".length()));
      Files.write(p, generate(c));
      System.out.println("wrote " + p + " (" + Files.size(p) + " bytes)");
    }
  }
}
