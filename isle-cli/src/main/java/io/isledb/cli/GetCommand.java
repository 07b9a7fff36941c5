package io.isledb.cli;

import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.inspect.Inspector;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code isle get}: one key's value. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = "Prints the value of one key (exit status 4 if it has none).")
final class GetCommand extends StoreCommand {
  @Parameters(index = "0", paramLabel = "<key>", description = "The key, in the --format.")
  String key;

  @Option(names = "--at", paramLabel = "<version>", description = "Read this version.")
  Long at;

  @Option(
      names = "--format",
      description =
          "How the key is typed and the value shown: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Bytes format = Bytes.printable;

  @Override
  int run(ObjectStore store, Inspector in) {
    byte[] k = format.parse(key);
    try (Reader r = reader(store);
        ReadView v = at == null ? r.snapshot() : r.openVersion(at)) {
      Optional<byte[]> value = v.get(k);
      if (value.isEmpty()) {
        throw new IsleCli.NotFound(
            "key " + format.show(k) + " has no value at version " + v.version());
      }
      out().println(format.show(value.get()));
    }
    return IsleCli.OK;
  }
}
