package io.isledb.manifest;

import io.isledb.ObjectStore;
import io.isledb.testing.ObjectStoreManifestStoreContract;
import io.isledb.testing.S3ServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The manifest-store contract for the object-store manifest on {@code s3a://} against a real S3
 * server (s3proxy): appends are conditional PUTs (If-None-Match).
 */
class S3aManifestStoreContractITCase extends ObjectStoreManifestStoreContract {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @Override
  protected ObjectStore openObjectStore() {
    return S3.openStore("manifest-contract");
  }

  /** A few rounds: s3proxy answers bursts of 412s slowly (it drops keep-alive connections). */
  @Override
  protected int raceRounds() {
    return 4;
  }
}
