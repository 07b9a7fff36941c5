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

  /**
   * Fewer rounds of the same race than the default 100: Azurite (one Node.js process) is the
   * slowest server here (about 0.7 s per 8-writer round in CI, 72 s for 100), and every round is
   * the same case, eight conditional creates of one name; the in-memory, file and s3a contracts run
   * the full 100.
   */
  /**
   * ABFS listings are read a directory at a time ({@code listStatus}: the client pages internally,
   * 5000 entries per Azure page), so 1205 objects test nothing 300 do not; each write is a staged
   * create, append, flush and rename on Azurite (about 150 ms).
   */
  @Override
  protected int listingObjects() {
    return 300;
  }

  @Override
  protected int raceRounds() {
    return 30;
  }
}
