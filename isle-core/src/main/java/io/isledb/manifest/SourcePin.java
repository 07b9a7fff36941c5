package io.isledb.manifest;

import io.isledb.util.Internal;
import java.util.List;
import java.util.Objects;

/**
 * A database a fork borrows tables from, as the fork's state records it (docs/PROTOCOL.md section
 * 9): the fork holds the version pin {@code pin} on the database at {@code prefix}, pinning {@code
 * version}, until no live table of the fork lives in any of {@code homes} any more.
 *
 * @param prefix the source's database prefix (under the same base URI as the fork's)
 * @param pin the name of the fork's pin on the source ({@code fork-<fork id>})
 * @param version the source version the pin holds
 * @param homes where the tables borrowed through this source live: the source itself and, for a
 *     source that is a fork that had not rewritten its borrowed tables, the homes of those (the
 *     source's own pins on them are held through this pin)
 */
@Internal
public record SourcePin(String prefix, String pin, long version, List<String> homes) {
  public SourcePin {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(pin, "pin");
    homes = List.copyOf(homes);
  }

  /** A source whose borrowed tables all live in it. */
  public SourcePin(String prefix, String pin, long version) {
    this(prefix, pin, version, List.of(prefix));
  }
}
