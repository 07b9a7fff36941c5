package io.isledb.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.ObjectUpload;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import io.isledb.testing.ResponseDroppingProxy;
import io.isledb.testing.S3ServerExtension;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What each operation costs on the wire with S3A, measured with S3A's own HTTP statistics against a
 * real S3 server, and the lost-response case with a response really lost on the wire.
 */
class S3aRequestCountITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  /** S3A's IOStatistics counters, one per kind of HTTP request. */
  static final String GET = "action_http_get_request";

  static final String HEAD = "object_metadata_request";
  static final String PUT = "object_put_request";
  static final String LIST = "object_list_request";
  static final String LIST_CONTINUE = "object_continue_list_request";
  static final String DELETE = "object_delete_request";
  static final String BULK_DELETE = "object_bulk_delete_request";
  static final String ALL_REQUESTS = "store_io_request";

  private ObjectStore store;

  @BeforeEach
  void open() {
    store = S3.openStore("requests");
  }

  @AfterEach
  void close() {
    store.close();
  }

  private RequestStats cost(Consumer<ObjectStore> op) {
    RequestStats before = store.stats();
    op.accept(store);
    return store.stats().minus(before);
  }

  private static void assertHttp(RequestStats c, long gets, long heads, long puts, long lists) {
    assertThat(c.backend(GET)).as("GETs in %s", c.backend()).isEqualTo(gets);
    assertThat(c.backend(HEAD)).as("HEADs in %s", c.backend()).isEqualTo(heads);
    assertThat(c.backend(PUT)).as("PUTs in %s", c.backend()).isEqualTo(puts);
    assertThat(c.backend(LIST) + c.backend(LIST_CONTINUE))
        .as("LISTs in %s", c.backend())
        .isEqualTo(lists);
  }

  @Test
  void smallPutIsOnePutWithoutProbes() {
    RequestStats c = cost(s -> s.put("sstable/00a/1.sst", new byte[4096]));
    assertHttp(c, 0, 0, 1, 0);
    assertThat(c.backend(ALL_REQUESTS)).isEqualTo(1);
    assertThat(c.count(RequestKind.PUT)).isEqualTo(1);
    assertThat(c.bytesWritten()).isEqualTo(4096);
  }

  @Test
  void knownSizeRangedReadIsExactlyOneGet() {
    store.put("obj", new byte[200_000]);
    RequestStats c =
        cost(
            s -> assertThat(s.getRange("obj", 200_000, 150_000, 4096).orElseThrow()).hasSize(4096));
    assertHttp(c, 1, 0, 0, 0);
    assertThat(c.backend(ALL_REQUESTS)).isEqualTo(1);
    assertThat(c.backend("stream_read_total_bytes"))
        .as("only the range is transferred")
        .isEqualTo(4096);
    assertThat(c.count(RequestKind.GET_RANGE)).isEqualTo(1);
    assertThat(c.bytesRead()).isEqualTo(4096);

    RequestStats missing = cost(s -> assertThat(s.getRange("nope", 100, 0, 10)).isEmpty());
    assertHttp(missing, 1, 0, 0, 0);
  }

  @Test
  void readsOfUnknownSizeAddOneHead() {
    store.put("obj", new byte[1000]);
    assertHttp(cost(s -> s.get("obj")), 1, 1, 0, 0);
    assertHttp(cost(s -> s.getRange("obj", 10, 10)), 1, 1, 0, 0);
    assertHttp(cost(s -> assertThat(s.get("missing")).isEmpty()), 0, 1, 0, 0);
    assertHttp(cost(s -> s.stat("obj")), 0, 1, 0, 0);
  }

  @Test
  void createIfAbsentIsOneConditionalPut() {
    RequestStats won =
        cost(s -> assertThat(s.createIfAbsent("log/1", "a".getBytes(UTF_8))).isTrue());
    assertHttp(won, 0, 0, 1, 0);
    assertThat(won.backend(ALL_REQUESTS)).isEqualTo(1);
    // The loser's PUT is rejected (412); it then reads the winner's object to compare bytes.
    RequestStats lost =
        cost(s -> assertThat(s.createIfAbsent("log/1", "b".getBytes(UTF_8))).isFalse());
    assertHttp(lost, 1, 1, 1, 0);
    assertThat(lost.backend("http_response_4XX")).isEqualTo(1);
  }

  @Test
  void uploadsCostOnePutAndAbandonedOnesNothing() {
    RequestStats done =
        cost(
            s -> {
              try (ObjectUpload up = s.startUpload("sst/1")) {
                up.write(new byte[100_000]);
                up.complete();
              }
            });
    assertHttp(done, 0, 0, 1, 0);
    RequestStats abandoned =
        cost(
            s -> {
              try (ObjectUpload up = s.startUpload("sst/2")) {
                up.write(new byte[100_000]);
              }
            });
    assertThat(abandoned.backend(ALL_REQUESTS)).isZero();
  }

  /**
   * IsleDB's default S3A part size is 8 MiB (Hadoop's 64 MiB made every small write allocate 64
   * MiB): an upload of 20 MiB goes in three parts; one of 8 MiB less a byte is a single PUT.
   */
  @Test
  void uploadsAboveEightMiBGoInEightMiBParts() {
    RequestStats big =
        cost(
            s -> {
              try (ObjectUpload up = s.startUpload("sst/big")) {
                up.write(new byte[20 << 20]);
                up.complete();
              }
            });
    assertThat(big.backend("multipart_upload_completed")).as("in %s", big.backend()).isEqualTo(1);
    assertThat(big.backend("multipart_upload_part_put")).as("in %s", big.backend()).isEqualTo(3);
    assertThat(store.stat("sst/big").orElseThrow().size()).isEqualTo(20 << 20);
    RequestStats below = cost(s -> s.put("sst/below", new byte[(8 << 20) - 1]));
    assertHttp(below, 0, 0, 1, 0);
    assertThat(below.backend("multipart_upload_completed")).isZero();
  }

  @Test
  void deletesNeverProbe() {
    store.put("a", new byte[1]);
    RequestStats one = cost(s -> s.delete("a"));
    assertThat(one.backend(DELETE) + one.backend(BULK_DELETE)).isEqualTo(1);
    assertThat(one.backend(ALL_REQUESTS)).isEqualTo(1);

    List<String> names = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      names.add("many/" + i);
    }
    RequestStats bulk = cost(s -> s.deleteAll(names));
    // S3A's bulk delete page is 250 keys by default: 300 keys are two POST ?delete requests.
    assertThat(bulk.backend(BULK_DELETE)).isEqualTo(2);
    assertThat(bulk.backend(ALL_REQUESTS)).isEqualTo(2);
    assertThat(bulk.count(RequestKind.DELETE)).isEqualTo(2);
  }

  @Test
  void smallListingIsOneList() {
    for (int i = 0; i < 5; i++) {
      store.put("l/" + i, new byte[1]);
    }
    RequestStats c = cost(s -> s.list("l/").forEachRemaining(i -> {}));
    assertHttp(c, 0, 0, 0, 1);
    assertThat(c.count(RequestKind.LIST_PAGE)).isEqualTo(1);
  }

  /**
   * Listings fetch pages as they are read. With 100 keys per page, 350 objects are 4 pages; reading
   * the first entry costs the first page plus at most the one S3A prefetches in the background.
   */
  @Test
  void listingsFetchPagesLazily() throws Exception {
    try (ObjectStore paged = S3.openStore("paged", Map.of("fs.s3a.paging.maximum", "100"))) {
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(8);
      try {
        List<java.util.concurrent.Future<?>> puts = new ArrayList<>();
        for (int i = 0; i < 350; i++) {
          String name = String.format("p/%04d", i);
          puts.add(pool.submit(() -> paged.put(name, new byte[1])));
        }
        for (java.util.concurrent.Future<?> f : puts) {
          f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      RequestStats beforeAll = paged.stats();
      List<String> all = new ArrayList<>();
      paged.list("p/").forEachRemaining(i -> all.add(i.name()));
      RequestStats full = paged.stats().minus(beforeAll);
      assertThat(all).hasSize(350);
      assertThat(full.backend(LIST) + full.backend(LIST_CONTINUE)).isEqualTo(4);
      assertThat(full.count(RequestKind.LIST_PAGE)).isEqualTo(4);
      // Last: the page S3A prefetches may be counted after this window closes.
      RequestStats before = paged.stats();
      assertThat(paged.list("p/").next().name()).isEqualTo("p/0000");
      RequestStats first = paged.stats().minus(before);
      assertThat(first.backend(LIST) + first.backend(LIST_CONTINUE))
          .as("LIST requests to read one entry: %s", first.backend())
          .isBetween(1L, 2L);
      assertThat(first.count(RequestKind.LIST_PAGE)).isEqualTo(1);
    }
  }

  /**
   * A conditional PUT lands but its response is lost on the wire; S3A retries and gets 412 for its
   * own object. createIfAbsent must still report the win, and a different writer must lose.
   */
  @Test
  void lostResponseOnTheWireIsStillAWin() throws Exception {
    int serverPort = URI.create(S3.server().endpoint()).getPort();
    try (ResponseDroppingProxy proxy = new ResponseDroppingProxy(serverPort)) {
      Map<String, String> conf = S3.hadoopConf();
      conf.put("fs.s3a.endpoint", proxy.endpoint());
      String prefix = S3.newPrefix("lost-response");
      try (ObjectStore viaProxy = IsleDB.openStore(S3.uri(), prefix, conf);
          ObjectStore direct = IsleDB.openStore(S3.uri(), prefix, S3.hadoopConf())) {
        byte[] mine = "edit of writer 1".getBytes(UTF_8);
        proxy.dropNextResponseTo("if-none-match");
        RequestStats before = viaProxy.stats();
        assertThat(viaProxy.createIfAbsent("manifest/log/1", mine)).isTrue();
        RequestStats c = viaProxy.stats().minus(before);
        assertThat(proxy.dropped()).as("responses lost on the wire").isEqualTo(1);
        assertThat(c.backend(PUT))
            .as("the PUT was retried: %s", c.backend())
            .isGreaterThanOrEqualTo(1);
        assertThat(c.backend("http_response_4XX") + c.backend("object_put_request.failures"))
            .as("the retry was refused: %s", c.backend())
            .isGreaterThanOrEqualTo(1);
        assertThat(c.count(RequestKind.GET)).as("the object was read back to compare").isEqualTo(1);
        assertThat(direct.get("manifest/log/1"))
            .hasValueSatisfying(v -> assertThat(v).isEqualTo(mine));
        assertThat(direct.createIfAbsent("manifest/log/1", "writer 2".getBytes(UTF_8))).isFalse();
      }
    }
  }
}
