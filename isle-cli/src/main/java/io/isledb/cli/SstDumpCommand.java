package io.isledb.cli;

import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.inspect.Inspector;
import io.isledb.inspect.SstDump;
import java.io.PrintWriter;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code isle sst-dump}: a table's properties, index and, with a flag, entries. */
@Command(
    name = "sst-dump",
    mixinStandardHelpOptions = true,
    description = "A table file's properties and index and, with --entries, every stored entry.")
final class SstDumpCommand extends StoreCommand {
  @Parameters(
      index = "0",
      paramLabel = "<table>",
      description = "A table id (32 hex digits, as ls shows) or an sstable/ object name.")
  String table;

  @Option(
      names = "--entries",
      description = "Also print every entry (key, sequence number, kind, expiry, value).")
  boolean entries;

  @Mixin Formats format;

  @Override
  int run(ObjectStore store, Inspector in) {
    SstDump d;
    try {
      d = in.sstDump(table);
    } catch (IsleException e) {
      if (e.kind() == IsleException.Kind.INVALID_ARGUMENT
          && e.getMessage().startsWith("no table")) {
        throw new IsleCli.NotFound(e.getMessage());
      }
      throw e;
    }
    PrintWriter out = out();
    out.println("table " + d.object() + " (" + d.size() + " bytes)");
    out.println("properties:");
    d.properties().forEach((k, v) -> out.println("  " + k + ": " + v));
    out.println("index: " + d.index().size() + " data blocks");
    int i = 0;
    for (SstDump.IndexEntry e : d.index()) {
      out.println(
          "  block "
              + i++
              + " offset "
              + e.offset()
              + " size "
              + e.size()
              + " separator "
              + format.show(e.separatorKey())
              + " @"
              + e.separatorSeq());
    }
    if (entries) {
      out.println("entries:");
      in.sstEntries(
          table,
          e ->
              out.println(
                  "  "
                      + format.show(e.key())
                      + " @"
                      + e.seq()
                      + " "
                      + e.kind()
                      + (e.expiresAtMillis() != 0
                          ? " expires " + Instant.ofEpochMilli(e.expiresAtMillis())
                          : "")
                      + (e.kind().equals("DELETE") ? "" : " " + format.show(e.value()))));
    }
    return IsleCli.OK;
  }
}
