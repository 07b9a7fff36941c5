package io.isledb.testing;

import io.isledb.ObjectStore;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class a real Azure Blob endpoint (Azurite) and ABFS stores on it, or skips the class
 * with a visible reason when Azurite is not installed ({@code .ci/run} installs it from npm and
 * sets {@code AZURITE_HOME}):
 *
 * <pre>{@code
 * @RegisterExtension static final AzuriteExtension AZURE = new AzuriteExtension();
 *
 * @Test void roundTrip() {
 *   try (ObjectStore store = AZURE.openStore("my-test")) { ... }
 * }
 * }</pre>
 */
public final class AzuriteExtension implements BeforeAllCallback, BeforeEachCallback {
  static final String NOT_INSTALLED =
      "SKIPPED abfs:// tests: no Azurite found (looked in $AZURITE_HOME and on PATH for"
          + " azurite-blob/azurite). Install it with: npm install --prefix DIR azurite@3.37.0 and"
          + " export AZURITE_HOME=DIR, or run .ci/run";

  /** Set to {@code true} (as {@code .ci/run} does) to fail instead of skipping without Azurite. */
  public static final String REQUIRE_ENV = "ISLEDB_REQUIRE_AZURITE";

  private AzuriteServer server;

  @Override
  public void beforeAll(ExtensionContext context) {
    server = AzuriteServer.find().orElse(null);
    if (server == null && "true".equals(System.getenv(REQUIRE_ENV))) {
      throw new IllegalStateException(REQUIRE_ENV + " is set but " + NOT_INSTALLED);
    }
    if (server != null) {
      // JUnit closes root-store resources when the whole test plan ends.
      context
          .getRoot()
          .getStore(ExtensionContext.Namespace.GLOBAL)
          .getOrComputeIfAbsent(
              AzuriteServer.class.getName(),
              key -> (ExtensionContext.Store.CloseableResource) AzuriteServer::closeShared);
    } else {
      System.err.println(context.getDisplayName() + ": " + NOT_INSTALLED);
      context.publishReportEntry("azurite", NOT_INSTALLED);
    }
  }

  /**
   * Skips each test rather than the whole class: Surefire counts skipped tests (shown on the
   * console as "Skipped: N") but shows a class skipped in beforeAll as "Tests run: 0".
   */
  @Override
  public void beforeEach(ExtensionContext context) {
    Assumptions.assumeTrue(server != null, NOT_INSTALLED);
  }

  /** The shared Azurite server. */
  public AzuriteServer server() {
    return server;
  }

  /** The ABFS container URI. */
  public String uri() {
    return server.containerUri();
  }

  /** The ABFS settings for the server (a fresh mutable copy). */
  public Map<String, String> hadoopConf() {
    return new HashMap<>(server.hadoopConf());
  }

  /** A store on a fresh, empty prefix; the caller closes it. */
  public ObjectStore openStore(String prefixHint) {
    return server.openStore(prefixHint);
  }
}
