package io.isledb.testing.children;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.ReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import io.isledb.testing.ChildSide;
import java.time.Duration;
import java.util.Map;

/**
 * A writer process that opens the writer restored to pin {@code --pin} and prints {@code @@RESTORED
 * <version>} once the call returned, then {@code DONE}. With {@code --kill} it stops at that
 * storage step instead (a {@code PAUSED} marker) and waits to be killed. Other arguments as {@link
 * WriterChild} ({@code --store}, {@code --snapshotEvery}, ...).
 */
public final class RollbackChild {
  private RollbackChild() {}

  public static void main(String[] argv) {
    ChildSide.run(argv, RollbackChild::run);
  }

  private static void run(Map<String, String> args) {
    WriterOptions wo =
        WriterOptions.defaults()
            .withFlushInterval(Duration.ZERO)
            .withCache(ReaderOptions.defaults().withDiskCacheBytes(0));
    try (ObjectStore store = WriterChild.openStore(args);
        IsleDB db = IsleDB.open(store, WriterChild.dbOptions(args))) {
      ChildSide.mark("START", db.currentVersion());
      try (Writer w = db.openWriterRestoredTo(wo, ChildSide.arg(args, "pin"))) {
        ChildSide.mark("RESTORED", w.lastCommittedVersion());
      }
      ChildSide.mark("DONE", 0);
    }
  }
}
