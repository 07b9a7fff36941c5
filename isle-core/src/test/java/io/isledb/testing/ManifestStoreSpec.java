package io.isledb.testing;

import io.isledb.DBOptions;
import io.isledb.ManifestStoreConfig;
import io.isledb.ObjectStore;
import io.isledb.manifest.ManifestStore;
import io.isledb.manifest.ManifestStores;
import java.util.List;

/**
 * Which manifest store a suite's databases use (docs/PROTOCOL.md section 10). The model,
 * fencing-race, crash and soak suites take their {@code DBOptions} from {@link #options()} and read
 * manifests through {@link #open}, so one run of them covers one store: the store is chosen for a
 * whole test run by the system property {@value #PROPERTY} ({@code object-store}, the default, or
 * {@code jdbc}: the JVM's shared PostgreSQL server, {@link #jdbc()}), and child JVMs inherit it
 * ({@link ChildJvm#defaultJvmFlags()}, {@link #jvmFlags()}).
 *
 * @param name the value of {@value #PROPERTY} that selects it
 * @param config what the databases of the suite are opened with
 */
public record ManifestStoreSpec(String name, ManifestStoreConfig config) {
  /** The system property that selects the manifest store of a test run. */
  public static final String PROPERTY = "isledb.test.manifestStore";

  /** The manifest on the database's object store. */
  public static final ManifestStoreSpec OBJECT_STORE =
      new ManifestStoreSpec("object-store", ManifestStoreConfig.objectStore());

  /** The value of {@value #PROPERTY} that selects the JDBC manifest store. */
  public static final String JDBC_NAME = "jdbc";

  /** Child JVMs reach their parent's PostgreSQL server through these system properties. */
  static final String JDBC_URL = "isledb.test.jdbc.url";

  static final String JDBC_USER = "isledb.test.jdbc.user";
  static final String JDBC_PASSWORD = "isledb.test.jdbc.password";

  /** Every manifest store the suites can run against (the JDBC one starts a server). */
  public static List<ManifestStoreSpec> all() {
    return List.of(OBJECT_STORE, jdbc());
  }

  /**
   * The JDBC manifest store on this JVM's shared PostgreSQL server ({@link
   * PostgresServer#shared()}, started on first use), or, in a child JVM, on its parent's server
   * ({@link #jvmFlags()}). Every database's rows are keyed by its object store's location, so tests
   * stay apart on one server.
   */
  public static synchronized ManifestStoreSpec jdbc() {
    String url = System.getProperty(JDBC_URL);
    if (url != null) {
      String user = System.getProperty(JDBC_USER);
      String pw = System.getProperty(JDBC_PASSWORD);
      return new ManifestStoreSpec(JDBC_NAME, ManifestStoreConfig.jdbc(url, user, () -> pw));
    }
    PostgresServer pg = PostgresServer.shared();
    String pw = pg.password();
    return new ManifestStoreSpec(
        JDBC_NAME, ManifestStoreConfig.jdbc(pg.jdbcUrl(), pg.user(), () -> pw));
  }

  /**
   * The manifest store of this test run ({@value #PROPERTY}).
   *
   * @throws io.isledb.IsleException of kind INVALID_ARGUMENT naming the property for an unknown
   *     store
   */
  public static ManifestStoreSpec current() {
    String v = System.getProperty(PROPERTY, OBJECT_STORE.name());
    ManifestStoreConfig.Kind.parse(PROPERTY, v); // names the property for a value that is no kind
    return v.trim().equals(JDBC_NAME) ? jdbc() : OBJECT_STORE;
  }

  /** {@code DBOptions.defaults()} with this manifest store. */
  public DBOptions options() {
    return DBOptions.defaults().withManifestStore(config);
  }

  /** The manifest store of the database on {@code store}, for tests that read it directly. */
  public ManifestStore open(ObjectStore store) {
    return ManifestStores.open(store, config);
  }

  /** The JVM flag that makes a child JVM run against this store (see {@link #jvmFlags()}). */
  public String jvmFlag() {
    return "-D" + PROPERTY + "=" + name;
  }

  /** The JVM flags that make a child JVM run against this store, on the same server for JDBC. */
  public List<String> jvmFlags() {
    if (config.kind() != ManifestStoreConfig.Kind.JDBC) {
      return List.of(jvmFlag());
    }
    return List.of(
        jvmFlag(),
        "-D" + JDBC_URL + "=" + config.jdbcUrl(),
        "-D" + JDBC_USER + "=" + config.jdbcUser(),
        "-D" + JDBC_PASSWORD + "=" + config.jdbcPassword().get());
  }
}
