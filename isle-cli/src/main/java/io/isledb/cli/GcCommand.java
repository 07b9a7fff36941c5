package io.isledb.cli;

import io.isledb.DBOptions;
import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.inspect.GcPreview;
import io.isledb.inspect.Inspector;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code isle gc --dry-run}: what GC would delete and why. */
@Command(
    name = "gc",
    mixinStandardHelpOptions = true,
    description = {
      "With --dry-run (required): what a garbage collector would delete, and why. Deletes nothing.",
      "Ages are judged from the objects' modification times: a collector that has been running"
          + " since they appeared would delete the objects marked 'due' in its next pass, the others"
          + " a grace period after it first saw them unreferenced. A new collector waits one grace"
          + " period first."
    })
final class GcCommand extends StoreCommand {
  @Option(names = "--dry-run", description = "Only show what would be deleted (required).")
  boolean dryRun;

  @Option(
      names = "--log-retention",
      paramLabel = "<duration>",
      description = "The collector's DBOptions.logRetention (ISO-8601; default: ${DEFAULT-VALUE}).")
  Duration logRetention = DBOptions.defaults().logRetention();

  @Override
  public Integer call() throws Exception {
    if (!dryRun) {
      throw IsleException.invalidArgument(
          "isle gc only previews: pass --dry-run (GC itself runs in an IsleDB process,"
              + " IsleDB.openGarbageCollector)");
    }
    return super.call();
  }

  @Override
  int run(ObjectStore store, Inspector in) {
    GcPreview p =
        in.gcDryRun(
            DBOptions.defaults().withLogRetention(logRetention).withManifestStore(manifest));
    out().println("head version " + p.head() + ", retained window from base " + p.base());
    long bytes = 0;
    for (GcPreview.Candidate c : p.candidates()) {
      out()
          .println(
              "DELETE "
                  + c.object()
                  + " ("
                  + c.size()
                  + " bytes, "
                  + (c.due() ? "due" : "later")
                  + "): "
                  + c.reason());
      bytes += c.size();
    }
    p.unreadable().forEach(u -> out().println("UNREADABLE " + u));
    p.notes().forEach(n -> out().println("note: " + n));
    out()
        .println(
            p.candidates().size()
                + " objects ("
                + bytes
                + " bytes) would be deleted; nothing was deleted (dry run)");
    return IsleCli.OK;
  }
}
