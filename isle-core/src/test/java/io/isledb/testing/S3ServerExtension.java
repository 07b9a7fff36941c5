package io.isledb.testing;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class a real S3 server (s3proxy on 127.0.0.1) and S3A stores on it:
 *
 * <pre>{@code
 * @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();
 *
 * @Test void roundTrip() {
 *   try (ObjectStore store = S3.openStore("my-test")) { ... }
 * }
 * }</pre>
 *
 * All test classes of a JVM share one server, started lazily by the first class that needs it and
 * stopped when the test plan ends (or the JVM exits); stores are isolated by unique prefixes. The
 * extension itself only starts the server early (in {@code beforeAll}), so its start-up is not
 * billed to a single test.
 */
public final class S3ServerExtension implements BeforeAllCallback {

  @Override
  public void beforeAll(ExtensionContext context) {
    server();
    // The root store outlives every test class; JUnit closes its resources when the plan ends.
    context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(
            S3ProxyServer.class.getName(),
            key -> (ExtensionContext.Store.CloseableResource) S3ProxyServer::closeShared);
  }

  /** The shared server. */
  public S3ProxyServer server() {
    return S3ProxyServer.shared();
  }

  /** {@code s3a://<bucket>}. */
  public String uri() {
    return server().bucketUri();
  }

  /** The S3A settings for the server (a fresh mutable copy). */
  public Map<String, String> hadoopConf() {
    return new HashMap<>(server().hadoopConf());
  }

  /** A prefix unique in this JVM. */
  public String newPrefix(String hint) {
    return S3ProxyServer.uniquePrefix(hint);
  }

  /** A store on a fresh, empty prefix; the caller closes it. */
  public ObjectStore openStore(String prefixHint) {
    return server().openStore(prefixHint);
  }

  /** A store on a fresh prefix with extra Hadoop settings on top of the server's. */
  public ObjectStore openStore(String prefixHint, Map<String, String> extraConf) {
    Map<String, String> conf = hadoopConf();
    conf.putAll(extraConf);
    return IsleDB.openStore(uri(), newPrefix(prefixHint), conf);
  }
}
