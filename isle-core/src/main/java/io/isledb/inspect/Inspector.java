package io.isledb.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isledb.DBOptions;
import io.isledb.IsleException;
import io.isledb.ManifestStoreConfig;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.PinInfo;
import io.isledb.db.Pins;
import io.isledb.db.gc.GcDryRun;
import io.isledb.manifest.ChecksummedJson;
import io.isledb.manifest.Lease;
import io.isledb.manifest.Manifest;
import io.isledb.manifest.ManifestCodec;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestState;
import io.isledb.manifest.ManifestStore;
import io.isledb.manifest.ManifestStores;
import io.isledb.manifest.ObjectStoreManifestStore;
import io.isledb.manifest.SstMeta;
import io.isledb.util.Internal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Read-only inspection of one database prefix, for the {@code isle} tool (see the package
 * documentation: internal, used by {@code isle-cli} only). Every method reads the store afresh.
 */
@Internal
public final class Inspector implements AutoCloseable {
  private static final ObjectMapper PRETTY =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final ObjectStore store;
  private final ManifestStore manifestStore;
  private final Manifest manifest;

  private Inspector(ObjectStore store, ManifestStore manifestStore) {
    this.store = store;
    this.manifestStore = manifestStore;
    this.manifest = new Manifest(manifestStore);
  }

  /**
   * Inspects the database of {@code store}, whose manifest is kept on that store.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if the prefix holds no database (no manifest)
   */
  public static Inspector open(ObjectStore store) {
    return open(store, new ObjectStoreManifestStore(store));
  }

  /**
   * Inspects the database with tables and blobs on {@code store} and its manifest where {@code
   * manifest} says.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if the prefix holds no database (no manifest),
   *     or the manifest store is not available
   */
  public static Inspector open(ObjectStore store, ManifestStoreConfig manifest) {
    return open(store, ManifestStores.open(store, manifest));
  }

  /** Inspects the database with tables and blobs on {@code store}, its manifest on the other. */
  static Inspector open(ObjectStore store, ManifestStore manifestStore) {
    Inspector in = new Inspector(store, manifestStore);
    if (in.manifest.listLog().isEmpty() && in.manifest.listSnapshots().isEmpty()) {
      manifestStore.close();
      throw IsleException.invalidArgument(
          "no IsleDB database at "
              + store.location()
              + ": it holds no manifest (nothing under manifest/log/ or manifest/snapshots/);"
              + " check the URI and the prefix");
    }
    return in;
  }

  /**
   * Closes the manifest store this inspector opened from a {@link ManifestStoreConfig} (a JDBC
   * store's connections); the object store stays the caller's.
   */
  @Override
  public void close() {
    manifestStore.close();
  }

  /** The newest version. */
  public long head() {
    return manifest.loadLatest().seq();
  }

  /** Versions, snapshots, the recorded grace period and object sizes by kind (listings only). */
  public Overview overview() {
    Map<String, long[]> sizes = new TreeMap<>();
    for (ObjectInfo o : listAll(store, manifestStore)) {
      long[] s = sizes.computeIfAbsent(kindOf(o.name()), k -> new long[2]);
      s[0]++;
      s[1] += o.size();
    }
    List<Overview.Sizes> out = new ArrayList<>();
    sizes.forEach((k, v) -> out.add(new Overview.Sizes(k, v[0], v[1])));
    OptionalLong grace =
        manifestStore
            .get(ManifestPaths.SETTINGS)
            .map(
                b ->
                    OptionalLong.of(
                        ManifestCodec.decodeSettings(ManifestPaths.SETTINGS, b)
                            .gcGracePeriodMillis()))
            .orElse(OptionalLong.empty());
    return new Overview(
        store.location(), head(), manifest.listLog(), manifest.listSnapshots(), grace, out);
  }

  /**
   * Everything of the database: the object store's tables, blobs and other objects, then the
   * manifest store's entries (two listings; a manifest kept on the object store is listed once).
   */
  static List<ObjectInfo> listAll(ObjectStore store, ManifestStore manifestStore) {
    List<ObjectInfo> out = new ArrayList<>();
    for (Iterator<ObjectInfo> it = store.list(""); it.hasNext(); ) {
      ObjectInfo o = it.next();
      if (!o.name().startsWith(ManifestPaths.MANIFEST_DIR)) {
        out.add(o);
      }
    }
    out.addAll(manifestStore.list(ManifestPaths.MANIFEST_DIR));
    return out;
  }

  private static String kindOf(String name) {
    for (String dir :
        List.of(
            ManifestPaths.SST_DIR,
            ManifestPaths.BLOB_DIR,
            ManifestPaths.LOG_DIR,
            ManifestPaths.SNAPSHOT_DIR,
            ManifestPaths.PINS_DIR,
            Lease.DIR,
            "manifest/gc/",
            "manifest/")) {
      if (name.startsWith(dir)) {
        return dir.substring(0, dir.length() - 1);
      }
    }
    return "other";
  }

  /**
   * Version {@code version} (negative: the newest).
   *
   * @throws IsleException of kind INVALID_ARGUMENT if it is not retained or does not exist
   */
  public VersionInfo version(long version) {
    ManifestState s = state(version);
    List<VersionInfo.Run> runs = new ArrayList<>();
    s.runs().forEach(r -> runs.add(new VersionInfo.Run(r.id(), tables(r.tables()))));
    return new VersionInfo(
        s.seq(),
        s.lastSeq(),
        tables(s.l0()),
        runs,
        s.commits().properties(),
        new ArrayList<>(s.commits().sources().keySet()));
  }

  /**
   * Version {@code version} (negative: the newest) as indented JSON: the manifest's snapshot
   * encoding of its state (FORMAT.md, "Snapshot"), {@code seq} renamed {@code version}, without the
   * envelope, {@code format}, {@code type} and {@code time}. Keys are Base64, as stored.
   */
  public String versionJson(long version) {
    ManifestState s = state(version);
    JsonNode node =
        ChecksummedJson.decode("version " + s.seq(), ManifestCodec.encodeSnapshot(s, 0));
    ObjectNode out = PRETTY.createObjectNode();
    out.put("version", s.seq());
    node.fields()
        .forEachRemaining(
            e -> {
              if (!List.of("format", "type", "seq", "time").contains(e.getKey())) {
                out.set(e.getKey(), e.getValue());
              }
            });
    try {
      return PRETTY.writeValueAsString(out);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw IsleException.internal("cannot print version " + s.seq() + " as JSON", e);
    }
  }

  private ManifestState state(long version) {
    return version < 0 ? manifest.loadLatest() : manifest.loadVersion(version);
  }

  private static List<TableInfo> tables(List<SstMeta> metas) {
    List<TableInfo> out = new ArrayList<>(metas.size());
    for (SstMeta t : metas) {
      out.add(
          new TableInfo(
              t.id(),
              t.objectName(),
              t.home(),
              t.size(),
              t.entries(),
              t.tombstones(),
              t.smallestKey(),
              t.largestKey(),
              t.effectiveMinSeq(),
              t.effectiveMaxSeq(),
              t.blobRefs()));
    }
    return out;
  }

  /** Every pin, in name order. */
  public List<PinInfo> pins() {
    return Pins.infos(manifestStore);
  }

  /** Every lease, in name order; an unreadable one carries its error. */
  public List<LeaseInfo> leases() {
    List<LeaseInfo> out = new ArrayList<>();
    for (Iterator<ObjectInfo> it = manifestStore.list(Lease.DIR).iterator(); it.hasNext(); ) {
      ObjectInfo o = it.next();
      try {
        Lease l = Lease.decode(o.name(), manifestStore.get(o.name()).orElse(new byte[0]));
        out.add(
            new LeaseInfo(
                o.name(),
                l.author(),
                l.refresh(),
                l.ttlMillis(),
                l.objects(),
                l.blobUniquifierPrefixes(),
                o.lastModifiedMillis(),
                null));
      } catch (IsleException e) {
        out.add(
            new LeaseInfo(
                o.name(),
                null,
                0,
                0,
                List.of(),
                List.of(),
                o.lastModifiedMillis(),
                e.getMessage()));
      }
    }
    return out;
  }

  /**
   * A table file's properties and index; {@code table} is a table id or an {@code sstable/} object
   * name.
   *
   * @throws IsleException of kind INVALID_ARGUMENT if there is no such table, CORRUPTION if it is
   *     damaged
   */
  public SstDump sstDump(String table) {
    return TableDump.dump(store, objectOf(table));
  }

  /**
   * Every entry of a table, in file order, to {@code sink} (reads, and so verifies, every block).
   */
  public void sstEntries(String table, Consumer<SstDump.Entry> sink) {
    TableDump.entries(store, objectOf(table), sink);
  }

  private static String objectOf(String table) {
    if (table.startsWith(ManifestPaths.SST_DIR)) {
      return table;
    }
    if (!table.matches("[0-9a-f]{32}")) {
      throw IsleException.invalidArgument(
          "'" + table + "' is neither a table id (32 hex digits) nor an sstable/ object name");
    }
    return ManifestPaths.sst(table);
  }

  /**
   * Reads every object under the prefix and checks it: every SST block's CRC32C and structure (a
   * full scan), every blob's SHA-256 against its name, every manifest object's checksum and fields,
   * and that every table of the newest version exists with its recorded size. Reports each object
   * to {@code onObject} as it is checked.
   */
  public VerifyReport verify(Consumer<String> onObject) {
    return new Verifier(store, manifest).run(onObject);
  }

  /**
   * What a GC pass would delete, and why, at {@code options.clock()}'s time (the grace period is
   * the recorded one if recorded). Reads only; see {@link GcDryRun} for how ages are estimated.
   */
  public GcPreview gcDryRun(DBOptions options) {
    GcDryRun.Plan p = GcDryRun.plan(store, manifestStore, options);
    List<GcPreview.Candidate> c = new ArrayList<>();
    p.candidates()
        .forEach(x -> c.add(new GcPreview.Candidate(x.object(), x.size(), x.reason(), x.due())));
    return new GcPreview(p.head(), p.base(), c, p.unreadable(), p.notes());
  }
}
