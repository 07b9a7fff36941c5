package io.isledb.db.fork;

import io.isledb.ObjectStore;
import io.isledb.testing.S3ServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Retired sources deleted whole, against a real S3 server (s3proxy) through S3A. */
class S3aRetireModelITCase extends RetireModelTestBase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @Override
  protected ObjectStore openStore(String hint) {
    return S3.openStore(hint);
  }

  /** Kept short for CI: the idle case does not depend on the store. */
  @Override
  void anIdleDatabaseIsNeverDeleted() {}
}
