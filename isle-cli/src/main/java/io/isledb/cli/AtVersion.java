package io.isledb.cli;

import io.isledb.ReadView;
import io.isledb.Reader;
import picocli.CommandLine.Option;

/** The {@code --at} option: which version a subcommand reads. */
final class AtVersion {
  @Option(
      names = "--at",
      paramLabel = "<version>",
      description = "The version to read (default: the newest).")
  Long at;

  /** The version asked for, or the reader's newest. */
  ReadView view(Reader r) {
    return at == null ? r.snapshot() : r.openVersion(at);
  }

  /** The version for the inspection API: negative for the newest. */
  long orNewest() {
    return at == null ? -1 : at;
  }
}
