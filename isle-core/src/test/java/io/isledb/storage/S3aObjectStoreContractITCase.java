package io.isledb.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.ObjectStore;
import io.isledb.RequestStats;
import io.isledb.testing.ObjectStoreContract;
import io.isledb.testing.S3ServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract on {@code s3a://} against a real S3 server (s3proxy). */
class S3aObjectStoreContractITCase extends ObjectStoreContract {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  @Override
  protected ObjectStore openStore() {
    return S3.openStore("contract");
  }

  @Override
  protected void assertListWasPaginated(RequestStats cost) {
    long listRequests =
        cost.backend("object_list_request") + cost.backend("object_continue_list_request");
    assertThat(listRequests)
        .as("HTTP LIST requests for 1205 objects: %s", cost.backend())
        .isGreaterThan(1);
    assertThat(cost.count(RequestStats.RequestKind.LIST_PAGE)).isGreaterThan(1);
  }
}
