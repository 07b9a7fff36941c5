package io.isledb;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The block codec of the tables a role writes (part of {@link TableSettings}). Readers decode every
 * codec whatever the settings, so changing it affects only tables written afterwards.
 */
public enum Compression {
  /** Blocks are stored as is. */
  NONE,
  /** LZ4: fast, moderate ratio; the default for freshly flushed tables. */
  LZ4,
  /** Zstandard: slower, stronger; the default for compaction output, which is read for longer. */
  ZSTD;

  /** The name {@link #parse} accepts for this codec: {@code none}, {@code lz4} or {@code zstd}. */
  public String optionName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The codec called {@code name} (case-insensitive, surrounding blanks ignored), for configuration
   * given as text.
   *
   * @throws IsleException INVALID_ARGUMENT naming the value and the allowed names if no codec has
   *     that name
   * @throws NullPointerException if {@code name} is null
   */
  public static Compression parse(String name) {
    String n = name.trim();
    return Arrays.stream(values())
        .filter(c -> c.name().equalsIgnoreCase(n))
        .findFirst()
        .orElseThrow(
            () ->
                IsleException.invalidArgument(
                    "compression must be one of "
                        + Arrays.stream(values())
                            .map(Compression::optionName)
                            .collect(Collectors.joining(", "))
                        + "; got '"
                        + name
                        + "'"));
  }
}
