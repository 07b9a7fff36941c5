package io.isledb.storage;

import io.isledb.ObjectStore;
import io.isledb.testing.AzuriteExtension;
import io.isledb.testing.ObjectStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract on {@code abfs://} against Azurite; skipped with a printed reason when Azurite is
 * not installed.
 */
class AbfsObjectStoreContractITCase extends ObjectStoreContract {
  @RegisterExtension static final AzuriteExtension AZURE = new AzuriteExtension();

  @Override
  protected ObjectStore openStore() {
    return AZURE.openStore("contract");
  }
}
