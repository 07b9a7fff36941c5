package io.isledb.sst;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Format stability of append operands ({@link ValueKind#APPEND}, kind id 5): the checked-in {@code
 * golden/sst-v1-append.sst} (format 1, written when the kind was added) keeps reading with exactly
 * its entries, and writing them again gives the same bytes. Run {@code main} with the golden
 * directory to write the file (never while it is checked in: a difference means the format
 * changed).
 */
public class GoldenAppendSstTest {
  private static final String RESOURCE = "golden/sst-v1-append.sst";

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Operands over a PUT, over a DELETE, alone, and a combined operand over a blob reference. */
  static List<Entry> entries() {
    List<Entry> e = new ArrayList<>();
    e.add(new Entry(b("list-a"), 30, ValueKind.APPEND, 0, b("|c")));
    e.add(new Entry(b("list-a"), 20, ValueKind.APPEND, 0, b("|b")));
    e.add(new Entry(b("list-a"), 10, ValueKind.PUT, 0, b("a")));
    e.add(new Entry(b("list-b"), 25, ValueKind.APPEND, 0, b("|y")));
    e.add(new Entry(b("list-b"), 15, ValueKind.DELETE, 0, new byte[0]));
    e.add(new Entry(b("list-b"), 5, ValueKind.PUT, 0, b("x")));
    e.add(new Entry(b("list-c"), 40, ValueKind.APPEND, 0, b("only")));
    e.add(new Entry(b("list-d"), 50, ValueKind.APPEND, 0, b("|1|2")));
    e.add(new Entry(b("list-d"), 45, ValueKind.BLOB, 0, b("blob:0123456789abcdef")));
    return e;
  }

  static byte[] generate() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TableBuilder builder = new TableBuilder(out, GoldenTables.options(Compression.NONE))) {
      for (Entry x : entries()) {
        builder.add(x.userKey(), x.seq(), x.kind(), x.expiresAtMillis(), x.value());
      }
      builder.finish();
    }
    return out.toByteArray();
  }

  private static byte[] golden() throws IOException {
    try (InputStream in =
        GoldenAppendSstTest.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      assertThat(in).as(RESOURCE).isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void goldenTableWithOperandsReadsWithItsKnownEntries() throws IOException {
    byte[] file = golden();
    try (TableReader reader =
        TableReader.open(RESOURCE, file.length, BlockSource.of(file), BlockCache.none(), 1)) {
      List<Entry> read = new ArrayList<>();
      TableIterator it = reader.iterator();
      for (it.seekToFirst(); it.valid(); it.next()) {
        read.add(new Entry(it.userKey(), it.seq(), it.kind(), it.expiresAtMillis(), it.value()));
      }
      assertThat(read).containsExactlyElementsOf(entries());
      assertThat(reader.get(b("list-a")).kind()).isEqualTo(ValueKind.APPEND);
      assertThat(reader.get(b("list-a"), 10).value()).isEqualTo(b("a"));
    }
  }

  @Test
  void regeneratingGivesTheSameBytes() throws IOException {
    assertThat(Arrays.mismatch(golden(), generate()))
        .as("first differing byte (the SST format changed)")
        .isEqualTo(-1);
  }

  @Test
  void theKindIdIsFive() {
    // Persisted in every key trailer: a reader predating the kind fails on it with CORRUPTION
    // "unknown value kind id 5".
    assertThat(ValueKind.APPEND.id()).isEqualTo((byte) 5);
    assertThat(ValueKind.fromId(5)).isEqualTo(ValueKind.APPEND);
  }

  public static void main(String[] args) throws IOException {
    Files.write(Path.of(args[0], "sst-v1-append.sst"), generate());
  }
}
