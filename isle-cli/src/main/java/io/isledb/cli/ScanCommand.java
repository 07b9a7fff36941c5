package io.isledb.cli;

import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.ReadView;
import io.isledb.Reader;
import io.isledb.inspect.Inspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code isle scan}: keys and values of a key range. */
@Command(
    name = "scan",
    mixinStandardHelpOptions = true,
    description = "Prints key<TAB>value for every key in [--from, --to), in key order.")
final class ScanCommand extends StoreCommand {
  @Option(names = "--from", paramLabel = "<key>", description = "First key (inclusive).")
  String from;

  @Option(names = "--to", paramLabel = "<key>", description = "End key (exclusive).")
  String to;

  @Option(names = "--limit", paramLabel = "<n>", description = "Print at most n keys.")
  long limit = Long.MAX_VALUE;

  @Option(names = "--keys-only", description = "Print keys only.")
  boolean keysOnly;

  @Mixin Formats format;

  @Mixin AtVersion version;

  @Override
  int run(ObjectStore store, Inspector in) {
    try (Reader r = reader(store);
        ReadView v = version.view(r);
        KvIterator it =
            v.scan(
                from == null ? null : format.parse(from), to == null ? null : format.parse(to))) {
      for (long n = 0; n < limit && it.hasNext(); n++) {
        KV kv = it.next();
        out()
            .println(
                keysOnly
                    ? format.show(kv.key())
                    : format.show(kv.key()) + "\t" + format.show(kv.value()));
      }
    }
    return IsleCli.OK;
  }
}
