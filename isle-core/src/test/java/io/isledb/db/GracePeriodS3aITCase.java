package io.isledb.db;

import io.isledb.ObjectStore;
import io.isledb.testing.S3ServerExtension;
import io.isledb.testing.StoreSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The recorded grace period on a real S3 server (s3proxy) through S3A. */
class GracePeriodS3aITCase extends GracePeriodContractBase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private StoreSpec spec;

  @BeforeEach
  void newPrefix() {
    spec = StoreSpec.s3(S3, "grace");
  }

  @Override
  protected ObjectStore openStore() {
    return spec.open();
  }
}
