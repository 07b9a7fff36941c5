package io.isledb.cli;

import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.inspect.Inspector;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code isle get}: one key's value. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = "Prints the value of one key (exit status 4 if it has none).")
final class GetCommand extends StoreCommand {
  @Parameters(index = "0", paramLabel = "<key>", description = "The key, in the --format.")
  String key;

  @Mixin Formats format;

  @Mixin AtVersion version;

  @Override
  int run(ObjectStore store, Inspector in) {
    byte[] k = format.parse(key);
    try (Reader r = reader(store);
        ReadView v = version.view(r)) {
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
