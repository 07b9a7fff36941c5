package io.isledb.sst;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The annotated hex dump in docs/FORMAT.md ("SST files", "Example") is what the writer writes. */
class FormatDocExampleTest {
  private static final Pattern HEX_PREFIX =
      Pattern.compile("^\\s*((?:[0-9a-f]{2}\\s{1,2})*[0-9a-f]{2})(?:\\s{3,}.*)?$");

  @Test
  void exampleInFormatMdMatchesTheWriter() throws Exception {
    Path doc = Path.of(System.getProperty("user.dir")).resolveSibling("docs").resolve("FORMAT.md");
    List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
    int start = lines.indexOf("### Example");
    assertThat(start).as("'### Example' in " + doc).isPositive();
    int open = start;
    while (!lines.get(open).startsWith("```")) {
      open++;
    }
    StringBuilder hex = new StringBuilder();
    for (int i = open + 1; !lines.get(i).startsWith("```"); i++) {
      Matcher m = HEX_PREFIX.matcher(lines.get(i));
      if (m.matches()) {
        hex.append(m.group(1).replaceAll("\\s+", ""));
      }
    }
    byte[] documented = HexFormat.of().parseHex(hex);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TableBuilder b =
        new TableBuilder(out, TableOptions.defaults().withCompression(Compression.NONE))) {
      b.add(
          "k".getBytes(StandardCharsets.UTF_8),
          1,
          ValueKind.PUT_EXPIRING,
          0x0123456789L,
          "v".getBytes(StandardCharsets.UTF_8));
      b.finish();
    }
    assertThat(HexFormat.of().formatHex(documented))
        .isEqualTo(HexFormat.of().formatHex(out.toByteArray()));
    assertThat(documented).hasSize(214);
  }
}
