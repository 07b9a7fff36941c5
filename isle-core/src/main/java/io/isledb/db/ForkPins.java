package io.isledb.db;

import io.isledb.util.Internal;

/** How a fork's pins on its sources are named and recognised (docs/PROTOCOL.md section 9). */
@Internal
public final class ForkPins {
  /** Persisted: the owner of a fork's pin is this followed by the fork's prefix. */
  public static final String OWNER_PREFIX = "isledb-fork:";

  /** Persisted: the name of a fork's pin is this followed by the fork id (32 hex). */
  public static final String NAME_PREFIX = "fork-";

  private ForkPins() {}

  /** The prefix of the fork holding a pin with {@code owner}, or null if it is not a fork's pin. */
  public static String forkOf(String owner) {
    return owner != null && owner.startsWith(OWNER_PREFIX) && owner.length() > OWNER_PREFIX.length()
        ? owner.substring(OWNER_PREFIX.length())
        : null;
  }
}
