package io.isledb.storage;

import static io.isledb.storage.Redaction.redact;
import static io.isledb.storage.Redaction.redacted;

import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.util.Internal;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Opens the {@link ObjectStore} of a storage URI (behind {@link io.isledb.IsleDB#openStore}):
 * checks the arguments, builds the Hadoop configuration (IsleDB's defaults, then the user's
 * settings, then the settings IsleDB's correctness depends on), opens a private FileSystem and
 * picks the scheme's {@link WriteStrategy} once (see {@code docs/isle-core.md}, "Storage"):
 *
 * <ul>
 *   <li>{@code file://}: {@link LocalWrites} over Hadoop's raw local file system;
 *   <li>{@code s3a://}: {@link S3aWrites};
 *   <li>{@code abfs://}, {@code abfss://}: {@link AbfsWrites};
 *   <li>anything else: {@link UnsafeWrites}, whose create-if-absent is refused unless {@value
 *       UnsafeWrites#UNSAFE_CREATE_IF_ABSENT} is set to {@code true}.
 * </ul>
 */
@Internal
@SuppressWarnings("try") // HadoopLoader scopes are not referenced in their bodies
public final class ObjectStores {
  /** The largest page an S3 LIST returns, whatever larger value a client asks for. */
  private static final int S3_MAX_LIST_PAGE = 1000;

  private ObjectStores() {}

  /**
   * Whether {@code store} was opened here, so that its {@link ObjectStore#location()} (base URI
   * plus prefix) identifies its data: a cache may then key the database's files by location.
   */
  public static boolean identifiedByLocation(ObjectStore store) {
    return store instanceof HadoopObjectStore;
  }

  /**
   * Opens the database {@code prefix} under {@code uri}; the database root is {@code
   * <uri>/<prefix>/}. The FileSystem is a private instance, closed with the store.
   */
  public static ObjectStore open(String uri, String prefix, Map<String, String> hadoopConf) {
    return open(uri, prefix, hadoopConf, null);
  }

  /**
   * Like {@link #open(String, String, Map)}, but the FileSystem comes from {@code shared} (one per
   * scheme, authority and configuration, reference-counted) when it is not null.
   */
  public static ObjectStore open(
      String uri, String prefix, Map<String, String> hadoopConf, SharedFileSystems shared) {
    if (hadoopConf == null) {
      throw IsleException.invalidArgument(
          "hadoopConf must not be null (pass Map.of() for no extra Hadoop settings)");
    }
    if (prefix == null) {
      throw IsleException.invalidArgument("the database prefix must not be null");
    }
    ObjectNames.checkPrefix(prefix);
    String cleanPrefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    URI base = parseBase(uri);
    String scheme = base.getScheme().toLowerCase(Locale.ROOT);
    String baseString = base.toString();
    while (baseString.endsWith("/")) {
      baseString = baseString.substring(0, baseString.length() - 1);
    }
    Path root;
    try {
      root = new Path(baseString + "/" + cleanPrefix);
    } catch (IllegalArgumentException e) {
      throw IsleException.invalidArgument(
          "storage URI '"
              + redact(baseString)
              + "' with prefix '"
              + cleanPrefix
              + "' is not a valid path: "
              + redact(String.valueOf(e.getMessage())));
    }
    Configuration conf = configuration(scheme, hadoopConf, redact(root.toString()));
    FileSystem fs;
    java.io.Closeable release;
    if (shared == null) {
      fs = openFileSystem(scheme, root, conf);
      release = fs;
    } else {
      String key = SharedFileSystems.key(base, hadoopConf);
      fs = shared.acquire(key, () -> openFileSystem(scheme, root, conf));
      release = () -> shared.release(key);
    }
    int listPage =
        Math.max(1, Math.min(S3_MAX_LIST_PAGE, conf.getInt("fs.s3a.paging.maximum", 5000)));
    return at(
        new Site(
            baseString,
            scheme,
            conf,
            fs,
            new RequestCounters(),
            listPage,
            new AtomicBoolean(),
            new StoreHooks()),
        cleanPrefix,
        release,
        false);
  }

  /**
   * The store of {@code prefix} under {@code site}'s base URI, sharing its file system, counters,
   * closed flag and hooks; closing it does nothing ({@link io.isledb.ObjectStore#sibling}).
   */
  static ObjectStore sibling(Site site, String prefix) {
    if (prefix == null) {
      throw IsleException.invalidArgument("the database prefix must not be null");
    }
    ObjectNames.checkPrefix(prefix);
    String clean = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    return at(site, clean, () -> {}, true);
  }

  /**
   * What the stores of every prefix under one base URI opened through one store share: the
   * FileSystem, the request counters, the closed flag and the test hooks ({@link
   * io.isledb.ObjectStore#sibling}).
   */
  record Site(
      String base,
      String scheme,
      Configuration conf,
      FileSystem fs,
      RequestCounters counters,
      int listPage,
      AtomicBoolean closed,
      StoreHooks hooks) {}

  /** The store of {@code prefix} (already checked, no trailing '/') under {@code site}'s base. */
  static HadoopObjectStore at(
      Site site, String prefix, java.io.Closeable release, boolean isSibling) {
    Path root;
    try {
      root = new Path(site.base() + "/" + prefix);
    } catch (IllegalArgumentException e) {
      throw IsleException.invalidArgument(
          "storage URI '"
              + redact(site.base())
              + "' with prefix '"
              + prefix
              + "' is not a valid path: "
              + redact(String.valueOf(e.getMessage())));
    }
    String rootPath = root.toUri().getPath();
    // Hadoop prints file:/x for file:///x; show local roots the way users write them.
    String location =
        (site.scheme().equals("file") ? "file://" + rootPath : redact(root.toString())) + "/";
    StoreContext ctx =
        new StoreContext(
            site.fs(),
            root,
            rootPath,
            location,
            site.counters(),
            site.listPage(),
            site.closed(),
            site.hooks(),
            release);
    WriteStrategy writes =
        switch (site.scheme()) {
          case "file" -> new LocalWrites(ctx);
          case "s3a" -> new S3aWrites(ctx);
          case "abfs", "abfss" -> new AbfsWrites(ctx);
          default ->
              new UnsafeWrites(
                  ctx,
                  site.scheme(),
                  site.conf().getBoolean(UnsafeWrites.UNSAFE_CREATE_IF_ABSENT, false));
        };
    return new HadoopObjectStore(ctx, writes, site, prefix, isSibling);
  }

  /**
   * Hadoop's default resources (core-default.xml and the like), parsed once per process: every
   * store's configuration starts as a copy of it, since parsing them again for each store open was
   * a tenth of a state backend's restore (two XML parses, one of them under the shared file
   * systems' lock).
   */
  private static volatile Configuration defaults;

  /** Whether {@link #configuration} copied the parsed defaults (tests). */
  static boolean parsedDefaultsShared() {
    return defaults != null;
  }

  private static Configuration parsedDefaults() {
    Configuration d = defaults;
    if (d == null) {
      synchronized (ObjectStores.class) {
        d = defaults;
        if (d == null) {
          d = new Configuration();
          d.setClassLoader(HadoopLoader.LOADER);
          d.size(); // parses the default resources now, once
          defaults = d;
        }
      }
    }
    return d;
  }

  /** IsleDB's defaults for the scheme, then the user's settings, then the forced ones. */
  static Configuration configuration(String scheme, Map<String, String> hadoopConf, String where) {
    // A copy of the parsed defaults: its own properties, nothing parsed again.
    Configuration conf = new Configuration(parsedDefaults());
    // Not the caller's context class loader (a Flink job's, closed when the job ends, while the
    // FileSystem may serve later jobs): classes named in settings load from isle-core's loader.
    conf.setClassLoader(HadoopLoader.LOADER);
    switch (scheme) {
      case "abfs", "abfss" -> AbfsWrites.configureDefaults(conf);
      case "s3a" -> S3aWrites.configureDefaults(conf);
      default -> {}
    }
    hadoopConf.forEach(
        (k, v) -> {
          if (k == null || v == null) {
            throw IsleException.invalidArgument(
                "hadoopConf must not hold null keys or values (key " + k + ")");
          }
          conf.set(k, v);
        });
    if (scheme.equals("s3a")) {
      S3aWrites.forceSettings(conf, where);
    }
    return conf;
  }

  private static FileSystem openFileSystem(String scheme, Path root, Configuration conf) {
    try (HadoopLoader.Scope loader = HadoopLoader.enter()) {
      if (scheme.equals("file")) {
        // The raw local FS writes no .crc side files; our own writes go through java.nio anyway.
        RawLocalFileSystem local = new RawLocalFileSystem();
        local.initialize(URI.create("file:///"), conf);
        return local;
      }
      return FileSystem.newInstance(root.toUri(), conf);
    } catch (IOException | RuntimeException e) {
      throw IsleException.unavailable(
          "cannot open the "
              + scheme
              + " file system for "
              + redact(root.toString())
              + ": "
              + redact(e.toString()),
          redacted(e));
    }
  }

  private static URI parseBase(String uri) {
    if (uri == null || uri.isEmpty()) {
      throw IsleException.invalidArgument("storage URI must not be empty");
    }
    String shown = redact(uri);
    if (!shown.contains("://") && shown.indexOf('@') >= 0) {
      // Not scheme://authority, so the user-info part cannot be told apart: hide all before '@'.
      shown = "***" + shown.substring(shown.lastIndexOf('@'));
    }
    URI base;
    try {
      base = new URI(uri);
    } catch (URISyntaxException e) {
      throw IsleException.invalidArgument(
          "storage URI '" + shown + "' is malformed: " + redact(e.getMessage()));
    }
    if (base.getScheme() == null) {
      throw IsleException.invalidArgument(
          "storage URI '" + shown + "' has no scheme (file:///abs/dir, s3a://bucket, ...)");
    }
    if (base.isOpaque()) {
      throw IsleException.invalidArgument(
          "storage URI '" + shown + "' is not hierarchical (file:///abs/dir, s3a://bucket, ...)");
    }
    if (base.getScheme().equalsIgnoreCase("file")
        && (base.getPath() == null || !base.getPath().startsWith("/"))) {
      throw IsleException.invalidArgument(
          "file storage URI '" + shown + "' must name an absolute directory, like file:///data/db");
    }
    return base;
  }
}
