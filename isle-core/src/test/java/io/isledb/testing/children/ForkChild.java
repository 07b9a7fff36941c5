package io.isledb.testing.children;

import io.isledb.DBOptions;
import io.isledb.ForkSource;
import io.isledb.GarbageCollector;
import io.isledb.GcOptions;
import io.isledb.GcResult;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.testing.ChildSide;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Fork roles in their own process, for the fork crash suite: {@code --op=fork} creates the fork
 * {@code --store} of {@code --source} at {@code --version}, clipped to {@code [--from, --to)}
 * (either may be absent), and prints {@code FORKED <version>}; {@code --op=gc} runs GC passes on
 * {@code --store} in a loop, printing {@code GC <version> <deletedTables>} per pass, paced by
 * {@code --pauseMillis} (default 50; the parent waits for markers, never for the pause). With
 * {@code --kill} the store (and its siblings: the sources) pause at that {@link
 * io.isledb.testing.KillPoint}, where the parent kills the process. Also {@code --graceMillis} and
 * {@code --logRetentionMillis} as for {@link WriterChild}.
 */
public final class ForkChild {
  private ForkChild() {}

  public static void main(String[] argv) {
    ChildSide.run(argv, ForkChild::run);
  }

  private static void run(Map<String, String> args) throws Exception {
    DBOptions dbo = WriterChild.dbOptions(args);
    String op = ChildSide.arg(args, "op");
    try (ObjectStore store = WriterChild.openStore(args)) {
      ChildSide.mark("READY", op);
      if (op.equals("fork")) {
        long v =
            IsleDB.fork(
                store,
                List.of(
                    ForkSource.ofVersion(
                        ChildSide.arg(args, "source"),
                        Long.parseLong(ChildSide.arg(args, "version")),
                        key(args.get("from")),
                        key(args.get("to")))),
                dbo);
        ChildSide.mark("FORKED", v);
        ChildSide.parkForever();
      }
      long pause = ChildSide.longArg(args, "pauseMillis", 50);
      try (IsleDB db = IsleDB.open(store, dbo);
          GarbageCollector gc = db.openGarbageCollector(GcOptions.defaults())) {
        while (true) {
          GcResult r = gc.runOnce();
          ChildSide.mark("GC", r.version(), r.deletedTables());
          // Pacing of a background loop, as GcOptions.interval is: the parent waits for the kill
          // point's marker, never for this pause.
          ChildSide.command(Duration.ofMillis(pause));
        }
      }
    }
  }

  private static byte[] key(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }
}
