package io.isledb.cli;

import io.isledb.ObjectStore;
import io.isledb.PinInfo;
import io.isledb.inspect.Inspector;
import io.isledb.inspect.LeaseInfo;
import io.isledb.inspect.Overview;
import io.isledb.inspect.TableInfo;
import io.isledb.inspect.VersionInfo;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code isle ls}: versions, tables by level and run, pins, leases and sizes. */
@Command(
    name = "ls",
    mixinStandardHelpOptions = true,
    description = "Versions, tables by level and run, pins, leases and object sizes of a database.")
final class LsCommand extends StoreCommand {

  @Mixin Formats format;

  @Mixin AtVersion version;

  @Override
  int run(ObjectStore store, Inspector in) {
    PrintWriter out = out();
    Overview o = in.overview();
    VersionInfo v = in.version(version.orNewest());
    out.println("database " + o.location());
    out.println("head version " + o.head());
    out.println("log edits " + range(o.logEdits()) + ", snapshots " + o.snapshots());
    o.gcGracePeriodMillis().ifPresent(g -> out.println("gc grace period " + g + " ms"));
    out.println();
    out.println("version " + v.version() + ": last seq " + v.lastSeq());
    out.println("L0: " + v.l0().size() + " tables, newest first");
    v.l0().forEach(t -> out.println("  " + table(t)));
    for (VersionInfo.Run r : v.runs()) {
      out.println("run " + r.id() + ": " + r.tables().size() + " tables, in key order");
      r.tables().forEach(t -> out.println("  " + table(t)));
    }
    if (!v.sources().isEmpty()) {
      out.println("fork sources: " + v.sources());
    }
    v.properties().forEach((k, val) -> out.println("property " + k + " = " + val));
    out.println();
    List<PinInfo> pins = in.pins();
    out.println("pins: " + pins.size());
    for (PinInfo p : pins) {
      out.println(
          "  "
              + p.name()
              + " version "
              + p.version()
              + (p.history() ? " history" : " version-pin")
              + p.owner().map(w -> " owner " + w).orElse("")
              + (p.expiresAtMillis().isPresent()
                  ? " expires " + Instant.ofEpochMilli(p.expiresAtMillis().getAsLong())
                  : ""));
    }
    List<LeaseInfo> leases = in.leases();
    out.println("leases: " + leases.size());
    for (LeaseInfo l : leases) {
      out.println(
          "  "
              + l.object()
              + (l.error() != null
                  ? " UNREADABLE: " + l.error()
                  : " author "
                      + l.author()
                      + " refresh "
                      + l.refresh()
                      + " ttl "
                      + l.ttlMillis()
                      + " ms, "
                      + l.objects().size()
                      + " objects, "
                      + l.blobPrefixes().size()
                      + " blob prefixes"));
    }
    out.println();
    out.println("sizes:");
    long objects = 0;
    long bytes = 0;
    for (Overview.Sizes s : o.sizes()) {
      out.printf("  %-20s %8d objects %14d bytes%n", s.kind(), s.objects(), s.bytes());
      objects += s.objects();
      bytes += s.bytes();
    }
    out.printf("  %-20s %8d objects %14d bytes%n", "total", objects, bytes);
    return IsleCli.OK;
  }

  private static String range(List<Long> seqs) {
    return seqs.isEmpty() ? "none" : seqs.get(0) + ".." + seqs.get(seqs.size() - 1);
  }

  private String table(TableInfo t) {
    return t.id()
        + (t.home() == null ? "" : " (borrowed from " + t.home() + ")")
        + " "
        + t.size()
        + " bytes, "
        + t.entries()
        + " entries ("
        + t.tombstones()
        + " deletions), keys ["
        + format.show(t.smallestKey())
        + " .. "
        + format.show(t.largestKey())
        + "], seq "
        + t.minSeq()
        + ".."
        + t.maxSeq()
        + (t.blobRefs() > 0 ? ", " + t.blobRefs() + " blobs" : "");
  }
}
