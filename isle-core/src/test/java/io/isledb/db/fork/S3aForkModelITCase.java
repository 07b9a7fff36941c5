package io.isledb.db.fork;

import io.isledb.ObjectStore;
import io.isledb.testing.S3ServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fork model test against a real S3 server (s3proxy) through S3A. */
class S3aForkModelITCase extends ForkModelTestBase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @Override
  protected ObjectStore openStore(String hint) {
    return S3.openStore(hint);
  }

  /**
   * Kept short for CI: the split test (three forks, each compacted and collected) runs on the
   * in-memory store and file://; here the fork of two sources and of a fork covers borrowed reads,
   * rewriting and releasing on S3.
   */
  @Override
  void splitShowsExactlyEachRangeAndSurvivesCompactionAndGc() {}
}
