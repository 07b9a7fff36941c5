package io.isledb.testing;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A real Azure Blob endpoint for tests: Azurite (from npm) as a child process on 127.0.0.1 and a
 * free port, with a temporary workspace. ABFS reaches it through the settings of {@link
 * #hadoopConf()} (FACTS.md). One server is shared by the test JVM.
 *
 * <p>The executable is {@code azurite-blob} (or {@code azurite}) found in {@code $AZURITE_HOME}
 * ({@code bin/}, {@code node_modules/.bin/} or the directory itself) or on the {@code PATH}. When
 * there is none, {@link #find()} is empty and {@link AzuriteExtension} skips its tests.
 */
public final class AzuriteServer implements AutoCloseable {
  /** Azurite's fixed development account. */
  public static final String ACCOUNT = "devstoreaccount1";

  /** Azurite's published development key (the same in every Azurite installation; not a secret). */
  private static final String ACCOUNT_KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  /** The container every test store lives in; tests are isolated by prefix. */
  public static final String CONTAINER = "isledb-test";

  private static AzuriteServer shared;
  private static boolean searched;

  private final ChildServer server;

  private AzuriteServer(ChildServer server) {
    this.server = server;
  }

  /** The Azurite executable, if installed. */
  public static Optional<Path> findExecutable() {
    List<Path> candidates = new ArrayList<>();
    String home = System.getenv("AZURITE_HOME");
    if (home != null && !home.isEmpty()) {
      for (String sub : List.of("bin", "node_modules/.bin", "")) {
        for (String exe : List.of("azurite-blob", "azurite")) {
          candidates.add(Path.of(home, sub, exe));
        }
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, "azurite-blob"));
          candidates.add(Path.of(dir, "azurite"));
        }
      }
    }
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  /** The JVM-wide server, started on first use; empty if Azurite is not installed. */
  public static synchronized Optional<AzuriteServer> find() {
    if (!searched) {
      searched = true;
      findExecutable().ifPresent(exe -> shared = start(exe));
    }
    return Optional.ofNullable(shared);
  }

  /** Stops the shared server, if one was started. */
  static synchronized void closeShared() {
    if (shared != null) {
      shared.close();
      shared = null;
    }
    searched = false;
  }

  private static AzuriteServer start(Path exe) {
    try {
      Path work = Files.createTempDirectory("isledb-azurite-");
      Path data = Files.createDirectories(work.resolve("data"));
      boolean blobOnly = exe.getFileName().toString().equals("azurite-blob");
      ChildServer child =
          ChildServer.start(
              "azurite",
              work,
              port -> {
                List<String> cmd = new ArrayList<>();
                cmd.add(exe.toString());
                cmd.addAll(List.of("--blobHost", "127.0.0.1", "--blobPort", "" + port));
                if (!blobOnly) {
                  // The full azurite also serves queues and tables; keep them off shared ports.
                  cmd.addAll(List.of("--queueHost", "127.0.0.1", "--queuePort", "" + freePort()));
                  cmd.addAll(List.of("--tableHost", "127.0.0.1", "--tablePort", "" + freePort()));
                }
                cmd.addAll(
                    List.of(
                        "--location",
                        data.toString(),
                        "--silent",
                        "--skipApiVersionCheck",
                        "--loose",
                        "--disableTelemetry"));
                return cmd;
              });
      return new AzuriteServer(child);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Azurite from " + exe, e);
    }
  }

  private static int freePort() throws IOException {
    return ChildServer.freePort();
  }

  /** {@code abfs://isledb-test@devstoreaccount1.dfs.core.windows.net}. */
  public String containerUri() {
    return "abfs://" + CONTAINER + "@" + ACCOUNT + ".dfs.core.windows.net";
  }

  /** Hadoop settings for ABFS against this Azurite (FACTS.md). */
  public Map<String, String> hadoopConf() {
    Map<String, String> conf = new TreeMap<>();
    conf.put("fs.azure.abfs.endpoint", "127.0.0.1:" + server.port());
    conf.put("fs.azure.always.use.https", "false");
    conf.put("fs.azure.networking.library", "JDK_HTTP_URL_CONNECTION");
    conf.put("fs.azure.account.auth.type", "SharedKey");
    conf.put("fs.azure.account.key." + ACCOUNT + ".dfs.core.windows.net", ACCOUNT_KEY);
    conf.put("fs.azure.account.hns.enabled", "false");
    conf.put("fs.azure.fns.account.service.type", "BLOB");
    conf.put("fs.azure.createRemoteFileSystemDuringInitialization", "true");
    return conf;
  }

  /** Opens a store on a fresh, empty prefix. */
  public ObjectStore openStore(String prefixHint) {
    return IsleDB.openStore(containerUri(), S3ProxyServer.uniquePrefix(prefixHint), hadoopConf());
  }

  @Override
  public void close() {
    server.close();
  }
}
