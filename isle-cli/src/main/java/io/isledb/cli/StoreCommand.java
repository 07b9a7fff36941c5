package io.isledb.cli;

import io.isledb.IsleDB;
import io.isledb.ManifestStoreConfig;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.inspect.Inspector;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A subcommand on one database: its location options, its output, a store opened once. */
abstract class StoreCommand implements Callable<Integer> {
  @Mixin StoreOptions where;

  @Spec CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Where the manifest is (set by {@link #call()} before {@link #run}). */
  ManifestStoreConfig manifest = ManifestStoreConfig.objectStore();

  /**
   * Runs {@link #run} on the database (its manifest where the {@code --manifest-store} options
   * say), refusing a prefix that holds none.
   */
  @Override
  public Integer call() throws Exception {
    manifest = where.manifest();
    try (ObjectStore store = where.open()) {
      return run(store, Inspector.open(store, manifest));
    }
  }

  abstract int run(ObjectStore store, Inspector in) throws Exception;

  /** A reader without a disk cache (the tool reads each block at most a few times). */
  Reader reader(ObjectStore store) {
    return IsleDB.openReader(store, ReaderOptions.defaults().withDiskCacheBytes(0), manifest);
  }
}
