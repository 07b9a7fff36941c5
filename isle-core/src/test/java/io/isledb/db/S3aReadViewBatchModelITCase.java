package io.isledb.db;

import io.isledb.ObjectStore;
import io.isledb.testing.S3ServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The splits and multi-get model test against a real S3 server (s3proxy) through S3A. */
class S3aReadViewBatchModelITCase extends ReadViewBatchModelTestBase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @Override
  protected ObjectStore openStore(String hint) {
    return S3.openStore(hint);
  }

  @Override
  protected int versions() {
    return 12;
  }

  /**
   * A spread of N instead of all of 1..20: each N scans every key through the server in 512-byte
   * blocks (no cache), and all twenty took 140 s of CI; the file and in-memory runs check every N.
   */
  @Override
  protected int[] splitCounts() {
    return new int[] {1, 2, 3, 5, 8, 13, 20};
  }
}
