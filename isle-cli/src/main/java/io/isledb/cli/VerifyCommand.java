package io.isledb.cli;

import io.isledb.ObjectStore;
import io.isledb.inspect.Inspector;
import io.isledb.inspect.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code isle verify}: every object's checksums; the exit status says whether all is well. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Reads every object under the prefix and checks it: each SST block's CRC32C and structure,"
          + " each blob's SHA-256 against its name, each manifest object's checksum and fields,"
          + " and that every table of the newest version exists with its recorded size.",
      "Exit status 0 if all is well, 1 if anything is corrupt or missing (each is named)."
    })
final class VerifyCommand extends StoreCommand {
  @Option(
      names = {"-v", "--verbose"},
      description = "Name every object as it is checked.")
  boolean verbose;

  @Override
  int run(ObjectStore store, Inspector in) {
    VerifyReport r =
        in.verify(
            name -> {
              if (verbose) {
                out().println("checking " + name);
              }
            });
    for (VerifyReport.Problem p : r.problems()) {
      out().println("CORRUPT " + p.object() + ": " + p.message());
    }
    out()
        .println(
            "verified "
                + r.objects()
                + " objects ("
                + r.bytes()
                + " bytes): "
                + (r.clean() ? "no problems" : r.problems().size() + " corrupt or missing"));
    return r.clean() ? IsleCli.OK : IsleCli.CORRUPT;
  }
}
