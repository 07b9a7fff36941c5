package io.isledb.testing;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real S3 server for tests: <a href="https://github.com/gaul/s3proxy">s3proxy</a> with its
 * filesystem backend, run as a child JVM on 127.0.0.1 and a free port, with one bucket ({@value
 * #BUCKET}). One server is shared by the whole test JVM ({@link #shared()}); it is stopped when the
 * JVM exits (or, under JUnit, when the test plan ends). Tests use it through {@link
 * S3ServerExtension}.
 *
 * <p>The server jar comes from the system property {@value #JAR_PROPERTY} (set by isle-core's
 * surefire configuration to the file maven-dependency-plugin copies into {@code target/s3proxy/}),
 * else {@code target/s3proxy/s3proxy.jar} under the working directory. Modules that reuse this
 * class from isle-core's test-jar copy the jar the same way (see isle-core's pom).
 */
public final class S3ProxyServer implements AutoCloseable {
  /** The bucket every test store lives in; tests are isolated by prefix. */
  public static final String BUCKET = "isledb-test";

  /** System property naming the s3proxy jar-with-dependencies. */
  public static final String JAR_PROPERTY = "isledb.s3proxy.jar";

  private static final String ACCESS_KEY = "isledb-access";
  private static final String SECRET_KEY = "isledb-secret-key-for-tests";
  private static final AtomicLong PREFIXES = new AtomicLong();
  private static S3ProxyServer shared;

  private final ChildServer server;

  private S3ProxyServer(ChildServer server) {
    this.server = server;
  }

  /** The JVM-wide server, started on first use (about a second). */
  public static synchronized S3ProxyServer shared() {
    if (shared == null) {
      shared = start();
    }
    return shared;
  }

  /** Stops the shared server, if one was started; the next {@link #shared()} starts a new one. */
  static synchronized void closeShared() {
    if (shared != null) {
      shared.close();
      shared = null;
    }
  }

  /** Starts a new server, independent of the shared one; the caller closes it. */
  public static S3ProxyServer start() {
    return start(true);
  }

  /**
   * Starts a new server that does not check request signatures, for tests that rewrite signed
   * requests on the way (for example {@link HeaderStrippingProxy}); the caller closes it.
   */
  public static S3ProxyServer startWithoutAuthorization() {
    return start(false);
  }

  private static S3ProxyServer start(boolean authorization) {
    Path jar = locateJar();
    try {
      Path work = Files.createTempDirectory("isledb-s3proxy-");
      Path data = work.resolve("data");
      // The filesystem backend serves each directory under its base dir as a bucket.
      Files.createDirectories(data.resolve(BUCKET));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ChildServer child =
          ChildServer.start(
              "s3proxy",
              work,
              port -> {
                Path props = work.resolve("s3proxy-" + port + ".properties");
                String text =
                    String.join(
                        "\n",
                        "s3proxy.endpoint=http://127.0.0.1:" + port,
                        "s3proxy.authorization=" + (authorization ? "aws-v2-or-v4" : "none"),
                        "s3proxy.identity=" + ACCESS_KEY,
                        "s3proxy.credential=" + SECRET_KEY,
                        "jclouds.provider=filesystem",
                        "jclouds.filesystem.basedir=" + data,
                        "");
                Files.writeString(props, text, StandardCharsets.UTF_8);
                return List.of(
                    java, "-Xmx512m", "-jar", jar.toString(), "--properties", props.toString());
              });
      return new S3ProxyServer(child);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start s3proxy from " + jar, e);
    }
  }

  private static Path locateJar() {
    String configured = System.getProperty(JAR_PROPERTY);
    Path jar =
        configured != null && !configured.isEmpty()
            ? Path.of(configured)
            : Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "s3proxy jar not found at "
              + jar
              + ": run the tests through Maven (maven-dependency-plugin copies it in the"
              + " generate-test-resources phase) or set -D"
              + JAR_PROPERTY
              + "=/path/to/s3proxy-jar-with-dependencies.jar");
    }
    return jar;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.port();
  }

  /** {@code s3a://isledb-test}. */
  public String bucketUri() {
    return "s3a://" + BUCKET;
  }

  /**
   * Hadoop settings for S3A against this server. Retries are quick because s3proxy sometimes closes
   * pooled connections after bursts of 412 answers (FACTS.md); the page size is AWS's 1000 so
   * pagination behaves as on S3.
   */
  public Map<String, String> hadoopConf() {
    Map<String, String> conf = new TreeMap<>();
    conf.put("fs.s3a.endpoint", endpoint());
    conf.put("fs.s3a.endpoint.region", "us-east-1");
    conf.put("fs.s3a.path.style.access", "true");
    conf.put("fs.s3a.connection.ssl.enabled", "false");
    conf.put("fs.s3a.access.key", ACCESS_KEY);
    conf.put("fs.s3a.secret.key", SECRET_KEY);
    conf.put(
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    conf.put("fs.s3a.paging.maximum", "1000");
    conf.put("fs.s3a.retry.interval", "20ms");
    conf.put("fs.s3a.retry.limit", "10");
    conf.put("fs.s3a.attempts.maximum", "10");
    return conf;
  }

  /** A prefix no other store of this JVM uses: {@code <hint>-<n>-<nanos>}. */
  public static String uniquePrefix(String hint) {
    return hint + "-" + PREFIXES.incrementAndGet() + "-" + System.nanoTime();
  }

  /** Opens a store on a fresh, empty prefix. */
  public ObjectStore openStore(String prefixHint) {
    return IsleDB.openStore(bucketUri(), uniquePrefix(prefixHint), hadoopConf());
  }

  /**
   * The server's process id: the benchmarks read its CPU time ({@code /proc}) to report the
   * server's share of the machine separately from the engine's.
   */
  public long pid() {
    return server.pid();
  }

  /** The directory holding the server's objects, for tests that inspect the raw bytes. */
  public Path dataDirectory() {
    return server.workDir().resolve("data").resolve(BUCKET);
  }

  @Override
  public void close() {
    server.close();
  }
}
