package io.isledb.cli;

import io.isledb.Change;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.inspect.Inspector;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code isle tail}: the change stream. */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = {
      "Prints changes (position, PUT or DELETE, key, value) from a position on.",
      "Without --follow it stops once it has caught up with the newest version; with --follow it"
          + " keeps polling until --max-changes or --timeout."
    })
final class TailCommand extends StoreCommand {
  @Option(
      names = "--from",
      paramLabel = "<position>",
      description = "earliest (default), latest, or <version>:<offset> as printed.")
  String from = "earliest";

  @Option(names = "--follow", description = "Keep polling for new changes.")
  boolean follow;

  @Option(names = "--max-changes", paramLabel = "<n>", description = "Stop after n changes.")
  long maxChanges = Long.MAX_VALUE;

  @Option(
      names = "--timeout",
      paramLabel = "<duration>",
      description = "With --follow: stop after this long (ISO-8601, e.g. PT30S); default never.")
  Duration timeout;

  @Option(
      names = "--poll",
      paramLabel = "<duration>",
      description = "Poll interval with --follow (default: ${DEFAULT-VALUE}).")
  Duration poll = Duration.ofSeconds(1);

  @Mixin Formats format;

  @Override
  int run(ObjectStore store, Inspector in) throws InterruptedException {
    try (TailingReader t =
        IsleDB.openTailingReader(
            store, TailingReaderOptions.defaults().withPollInterval(poll), manifest)) {
      TailPosition pos =
          switch (from) {
            case "earliest" -> t.earliest();
            case "latest" -> t.latest();
            default -> TailPosition.parse(from);
          };
      // Wall-clock deadline of this command only (not engine logic).
      long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
      long printed = 0;
      TailPosition end = follow ? null : t.latest();
      while (printed < maxChanges) {
        TailBatch b = t.poll(pos, (int) Math.min(1000, maxChanges - printed));
        for (Change c : b.changes()) {
          out()
              .println(
                  c.next()
                      + "\t"
                      + c.type()
                      + "\t"
                      + format.show(c.key())
                      + (c.type() == Change.Type.PUT ? "\t" + format.show(c.value()) : ""));
          printed++;
        }
        pos = b.next();
        if (b.changes().isEmpty()) {
          if (!follow && pos.version() >= end.version()) {
            break;
          }
          if (follow) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              break;
            }
            Thread.sleep(Math.max(1, Math.min(poll.toMillis(), left / 1_000_000)));
          }
        }
      }
      out().flush();
    }
    return IsleCli.OK;
  }
}
