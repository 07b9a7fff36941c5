package io.isledb.db;

import io.isledb.ObjectStore;
import io.isledb.testing.S3ServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The flushAsync model test against a real S3 server (s3proxy) through S3A. */
class S3aFlushAsyncModelITCase extends FlushAsyncModelTestBase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @Override
  protected ObjectStore openStore(String hint) {
    return S3.openStore(hint);
  }

  @Override
  protected int operations() {
    return 4_000;
  }
}
