package io.isledb;

import java.util.OptionalLong;

/**
 * A reader of a database prefix, in any process. It serves one immutable version at a time; {@link
 * #refresh()} moves it to the newest published version (an idle refresh costs one read request).
 * Tables are fetched on demand by ranged reads and cached in memory and on local disk. Thread-safe.
 */
public interface Reader extends ReadView {
  /** Moves to the newest published version and returns it. */
  long refresh();

  /**
   * A view pinned to the current version, unaffected by later refreshes; close it when done. Its
   * objects are safe from GC for the grace period; use {@link IsleDB#pin} for longer.
   */
  ReadView snapshot();

  /**
   * A read-only view of an older version: one still in the retained window (the log retention), or
   * one kept by a {@link IsleDB#pin version pin}.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if the version is neither retained nor pinned
   */
  ReadView openVersion(long version);

  /** The largest committed application LSN published in CURRENT (one read), if tracked. */
  OptionalLong maxCommittedLsn();

  /** The low-watermark application LSN published in CURRENT (one read), if tracked. */
  OptionalLong lowWatermarkLsn();

  /** Cache and request statistics. */
  ReaderStats stats();
}
