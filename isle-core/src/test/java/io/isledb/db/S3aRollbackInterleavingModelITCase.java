package io.isledb.db;

import io.isledb.ObjectStore;
import io.isledb.testing.S3ServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rollbacks interleaved with retention, racing compactions and GC against a real S3 server through
 * S3A (the full schedule of seed 2, which includes the bottommost race).
 */
class S3aRollbackInterleavingModelITCase extends RollbackInterleavingModelTestBase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @Override
  protected ObjectStore openStore(String hint) {
    return S3.openStore(hint);
  }
}
