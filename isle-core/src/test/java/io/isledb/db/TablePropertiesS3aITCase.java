package io.isledb.db;

import io.isledb.ObjectStore;
import io.isledb.testing.S3ServerExtension;
import io.isledb.testing.StoreSpec;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Table properties and commit users on a real S3 server (s3proxy) through S3A. */
class TablePropertiesS3aITCase extends TablePropertiesContractBase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @Override
  protected ObjectStore openStore() {
    return StoreSpec.s3(S3, "props").open();
  }
}
