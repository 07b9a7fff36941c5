package io.isledb.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * How keys and values are shown and typed: {@code printable} (ASCII 0x20 to 0x7e as is, a backslash
 * as {@code \\}, every other byte as {@code \xNN}) or {@code hex}.
 */
enum Bytes {
  printable,
  hex;

  String show(byte[] b) {
    if (this == hex) {
      return HexFormat.of().formatHex(b);
    }
    StringBuilder sb = new StringBuilder(b.length);
    for (byte x : b) {
      int c = x & 0xFF;
      if (c == '\\') {
        sb.append("\\\\");
      } else if (c >= 0x20 && c < 0x7f) {
        sb.append((char) c);
      } else {
        sb.append(String.format("\\x%02x", c));
      }
    }
    return sb.toString();
  }

  /** Parses what {@link #show} prints (printable also takes any UTF-8 text). */
  byte[] parse(String s) {
    if (this == hex) {
      try {
        return HexFormat.of().parseHex(s);
      } catch (IllegalArgumentException e) {
        throw io.isledb.IsleException.invalidArgument("'" + s + "' is not hex: " + e.getMessage());
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < utf8.length; i++) {
      if (utf8[i] == '\\' && i + 1 < utf8.length && utf8[i + 1] == '\\') {
        out.write('\\');
        i++;
      } else if (utf8[i] == '\\' && i + 3 < utf8.length && utf8[i + 1] == 'x') {
        out.write(Integer.parseInt(new String(utf8, i + 2, 2, StandardCharsets.US_ASCII), 16));
        i += 3;
      } else {
        out.write(utf8[i]);
      }
    }
    return out.toByteArray();
  }
}
