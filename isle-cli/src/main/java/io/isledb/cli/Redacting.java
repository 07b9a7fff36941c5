package io.isledb.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of everything the tool prints: the values of {@code --hadoop} settings whose
 * key names a secret are replaced by {@code <redacted>} in every line written to stdout and stderr
 * (the tool's output, its error messages and library log lines alike).
 */
final class Redacting {
  private static final Pattern SECRET_KEY =
      Pattern.compile(".*(secret|password|passwd|token|credential|sas|signature|\\.key).*");

  private final List<String> secrets = new ArrayList<>();

  /**
   * Collects the secret values among raw arguments ({@code --hadoop k=v}, {@code --hadoop=k=v}).
   */
  Redacting(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String kv = null;
      if (args[i].equals("--hadoop") && i + 1 < args.length) {
        kv = args[i + 1];
      } else if (args[i].startsWith("--hadoop=")) {
        kv = args[i].substring("--hadoop=".length());
      }
      int eq = kv == null ? -1 : kv.indexOf('=');
      if (eq > 0
          && eq < kv.length() - 1
          && SECRET_KEY.matcher(kv.substring(0, eq).toLowerCase(Locale.ROOT)).matches()) {
        secrets.add(kv.substring(eq + 1));
      }
    }
    secrets.sort((a, b) -> b.length() - a.length()); // a longer secret containing a shorter one
  }

  String redact(String s) {
    for (String secret : secrets) {
      s = s.replace(secret, "<redacted>");
    }
    return s;
  }

  /** A writer that redacts whole lines before they reach {@code out}. */
  PrintWriter writer(Writer out) {
    return new PrintWriter(
        new Writer() {
          private final StringBuilder line = new StringBuilder();

          @Override
          public void write(char[] buf, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) {
              line.append(buf[i]);
              if (buf[i] == '\n') {
                out.write(redact(line.toString()));
                line.setLength(0);
              }
            }
          }

          @Override
          public void flush() throws IOException {
            if (line.length() > 0) {
              out.write(redact(line.toString()));
              line.setLength(0);
            }
            out.flush();
          }

          @Override
          public void close() throws IOException {
            flush();
          }
        },
        true);
  }

  /** The same for a stream (System.err, where library loggers write). */
  java.io.PrintStream stream(OutputStream out) {
    PrintWriter w = writer(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8));
    return new java.io.PrintStream(
        new OutputStream() {
          private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

          @Override
          public void write(int b) {
            pending.write(b);
            if (b == '\n') {
              flush();
            }
          }

          @Override
          public void flush() {
            w.write(pending.toString(StandardCharsets.UTF_8));
            w.flush();
            pending.reset();
          }
        },
        true,
        StandardCharsets.UTF_8);
  }
}
