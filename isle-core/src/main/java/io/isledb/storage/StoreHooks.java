package io.isledb.storage;

import java.io.IOException;
import java.util.function.Consumer;

/** Points where tests make a Hadoop-backed store fail or "crash"; no-ops in production. */
final class StoreHooks {
  /** Runs just before a staged {@code file://} write is published. */
  @FunctionalInterface
  interface PublishHook {
    void beforePublish(java.nio.file.Path tmp) throws IOException;
  }

  volatile PublishHook beforePublish = tmp -> {};

  /**
   * Runs on ABFS right after createIfAbsent opened its output stream, before any byte is written (a
   * hook that throws is a process dying between create and close).
   */
  volatile Consumer<String> afterStagedCreate = name -> {};
}
