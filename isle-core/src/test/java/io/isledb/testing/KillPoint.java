package io.isledb.testing;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A point in a child process's storage traffic where it stops and waits to be killed: the {@code
 * skip + 1}-th request of kind {@code op}, in {@code phase}, on an object whose name starts with
 * {@code namePrefix}. On reaching it the child prints a {@code PAUSED} marker and blocks that
 * thread forever; the parent, waiting for the marker, sends SIGKILL. So the kill lands at an exact
 * protocol step ("the SST is uploaded, the log append not yet sent") without any timing guess.
 *
 * <p>Written on the command line as {@code OP:PHASE:namePrefix:skip}, for example {@code
 * CREATE_IF_ABSENT:BEFORE:manifest/log/:2}.
 */
public record KillPoint(
    HookedObjectStore.Op op, HookedObjectStore.Phase phase, String namePrefix, int skip) {

  /** Parses {@link #toString()}'s form. */
  public static KillPoint parse(String s) {
    String[] p = s.split(":", -1);
    if (p.length != 4) {
      throw new IllegalArgumentException("kill point must be OP:PHASE:prefix:skip, got " + s);
    }
    return new KillPoint(
        HookedObjectStore.Op.valueOf(p[0].toUpperCase(Locale.ROOT)),
        HookedObjectStore.Phase.valueOf(p[1].toUpperCase(Locale.ROOT)),
        p[2],
        Integer.parseInt(p[3]));
  }

  @Override
  public String toString() {
    return op + ":" + phase + ":" + namePrefix + ":" + skip;
  }

  /** Whether a request matches (ignoring the count). */
  public boolean matches(HookedObjectStore.Op o, HookedObjectStore.Phase ph, String name) {
    return o == op && ph == phase && name.startsWith(namePrefix);
  }

  /** A hook that parks the calling thread for good at this point, after printing the marker. */
  public HookedObjectStore.Hook hook() {
    AtomicInteger seen = new AtomicInteger();
    return (o, ph, name) -> {
      if (matches(o, ph, name) && seen.getAndIncrement() == skip) {
        ChildSide.mark("PAUSED", o, ph, name);
        ChildSide.parkForever();
      }
    };
  }
}
