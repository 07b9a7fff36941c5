package io.isledb.db;

import io.isledb.ObjectStore;
import io.isledb.testing.S3ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ColdReadCosts} against a real S3 server, counted on the wire by S3A as well. */
class ColdReadCostITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private static final String HTTP_GET = "action_http_get_request";

  @Test
  void coldLookupsReadOneRangedGetPerColdBlock() {
    try (ObjectStore store = S3.openStore("cold-lookups")) {
      ColdReadCosts.fill(store);
      ColdReadCosts.assertColdLookups(store, HTTP_GET);
    }
  }

  @Test
  void longScansReadAheadShortScansDoNot() {
    try (ObjectStore store = S3.openStore("cold-scans")) {
      ColdReadCosts.fill(store);
      ColdReadCosts.assertScanReadahead(store, HTTP_GET);
    }
  }
}
