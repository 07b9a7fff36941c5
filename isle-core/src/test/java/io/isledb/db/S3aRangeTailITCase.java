package io.isledb.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.RequestStats;
import io.isledb.TailPosition;
import io.isledb.testing.S3ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Range-restricted tailing against a real S3 server (s3proxy) through S3A: the model test, and the
 * streaming cost counted on the wire.
 */
class S3aRangeTailITCase extends RangeTailModelTestBase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private static final String HTTP_GET = "action_http_get_request";

  @Override
  protected ObjectStore openStore(String hint) {
    return S3.openStore(hint);
  }

  @Override
  protected int rounds() {
    return 6;
  }

  @Test
  void aOnePercentRangeReadsItsBlocksInOneRangedGetEach() {
    try (ObjectStore store = S3.openStore("range-tail-cost");
        IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      TailPosition start = RangeTailCostTest.flushOneTable(db);
      RequestStats cost = RangeTailCostTest.tailRange(db, store, start, 10_000, 10_200, 0);
      assertThat(cost.backend(HTTP_GET))
          .as("HTTP GETs on the wire: %s", cost)
          .isPositive()
          .isLessThanOrEqualTo(cost.gets());
    }
  }
}
