package io.isledb.cli;

import picocli.CommandLine.Option;

/** The {@code --format} option of the subcommands that take or show keys and values. */
final class Formats {
  @Option(
      names = "--format",
      description =
          "How keys and values are typed and shown: ${COMPLETION-CANDIDATES} (default:"
              + " ${DEFAULT-VALUE}; printable writes other bytes as \\xNN).")
  Bytes format = Bytes.printable;

  String show(byte[] b) {
    return format.show(b);
  }

  byte[] parse(String s) {
    return format.parse(s);
  }
}
