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
 * whole test run by the system property {@value #PROPERTY} ({@code object-store}, the default), and
 * child JVMs inherit it ({@link ChildJvm#defaultJvmFlags()}). Today there is one value; the JDBC
 * manifest store adds its own (its config then names the test's database server).
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

  /** Every manifest store the suites can run against. */
  public static List<ManifestStoreSpec> all() {
    return List.of(OBJECT_STORE);
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
    for (ManifestStoreSpec s : all()) {
      if (s.name().equals(v.trim())) {
        return s;
      }
    }
    throw io.isledb.IsleException.invalidArgument(
        PROPERTY + " is '" + v + "': the tests cannot run against that manifest store yet");
  }

  /** {@code DBOptions.defaults()} with this manifest store. */
  public DBOptions options() {
    return DBOptions.defaults().withManifestStore(config);
  }

  /** The manifest store of the database on {@code store}, for tests that read it directly. */
  public ManifestStore open(ObjectStore store) {
    return ManifestStores.open(store, config);
  }

  /** The JVM flag that makes a child JVM run against this store. */
  public String jvmFlag() {
    return "-D" + PROPERTY + "=" + name;
  }
}
