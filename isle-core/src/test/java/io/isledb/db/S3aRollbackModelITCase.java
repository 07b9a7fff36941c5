package io.isledb.db;

import io.isledb.ObjectStore;
import io.isledb.testing.S3ServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The rollback model test (rollback to a random pin) against a real S3 server through S3A. */
class S3aRollbackModelITCase extends RollbackModelTestBase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @Override
  protected ObjectStore openStore(String hint) {
    return S3.openStore(hint);
  }
}
