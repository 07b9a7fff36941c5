package io.isledb.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RequestStats;
import io.isledb.WriterOptions;
import io.isledb.testing.HeaderStrippingProxy;
import io.isledb.testing.S3ProxyServer;
import io.isledb.testing.S3ServerExtension;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * S3A create-if-absent must not depend on user settings or on a server that honours {@code
 * If-None-Match} silently (issue 8, item 11): IsleDB forces the settings it needs and probes the
 * store once before a writer starts.
 */
class S3aAtomicityProbeITCase {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  static final String PUT = S3aRequestCountITCase.PUT;
  static final String ALL = S3aRequestCountITCase.ALL_REQUESTS;

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  private static List<String> names(ObjectStore store) {
    List<String> out = new ArrayList<>();
    store.list("").forEachRemaining((ObjectInfo i) -> out.add(i.name()));
    return out;
  }

  @org.junit.jupiter.api.BeforeEach
  void probeAgain() {
    S3aWrites.forgetVerifiedServers(); // every test class of a JVM shares one S3 server
  }

  @Test
  void theProbePassesOnARealS3ServerOnceAndLeavesNothing() {
    try (ObjectStore store = S3.openStore("probe-ok")) {
      RequestStats before = store.stats();
      store.checkAtomicCreate();
      RequestStats cost = store.stats().minus(before);
      assertThat(cost.backend(PUT)).as("two conditional PUTs: %s", cost.backend()).isEqualTo(2);
      assertThat(
              cost.backend(S3aRequestCountITCase.DELETE)
                  + cost.backend(S3aRequestCountITCase.BULK_DELETE))
          .as("one DELETE of the probe object: %s", cost.backend())
          .isEqualTo(1);
      assertThat(cost.backend(S3aRequestCountITCase.GET) + cost.backend(S3aRequestCountITCase.HEAD))
          .as("no reads: %s", cost.backend())
          .isZero();
      assertThat(cost.backend(ALL)).as("%s", cost.backend()).isEqualTo(3);
      assertThat(names(store)).as("the probe object is deleted").isEmpty();

      RequestStats again = store.stats();
      store.checkAtomicCreate();
      assertThat(store.stats().minus(again).backend(ALL)).as("probed once per store").isZero();
    }
  }

  /**
   * Stores of one server (bucket, endpoint and connection settings), on one file system (every
   * prefix opened through shared resources, as a Flink task manager's state backends do) or on
   * another (the new resources of a restored task): the first probe holds for all of them, so a
   * restoring task does not pay three more round trips per database.
   */
  @Test
  void storesOfOneServerProbeOnceWhateverTheirFileSystem() {
    try (io.isledb.IsleResources res =
            io.isledb.IsleResources.create(io.isledb.IsleResourcesOptions.defaults());
        ObjectStore first = res.openStore(S3.uri(), S3.newPrefix("probe-shared"), S3.hadoopConf());
        ObjectStore second =
            res.openStore(S3.uri(), S3.newPrefix("probe-shared"), S3.hadoopConf());
        io.isledb.IsleResources other =
            io.isledb.IsleResources.create(io.isledb.IsleResourcesOptions.defaults());
        ObjectStore third =
            other.openStore(S3.uri(), S3.newPrefix("probe-other-fs"), S3.hadoopConf())) {
      RequestStats before = first.stats();
      first.checkAtomicCreate();
      assertThat(first.stats().minus(before).backend(ALL))
          .as("the first store of the server probes")
          .isEqualTo(3);
      RequestStats again = second.stats();
      second.checkAtomicCreate();
      assertThat(second.stats().minus(again).backend(ALL))
          .as("a second store of the same file system does not")
          .isZero();
      // Other resources, another file system instance (a Flink task restored in the same slot):
      // the same server with the same settings.
      RequestStats fresh = third.stats();
      third.checkAtomicCreate();
      assertThat(third.stats().minus(fresh).backend(ALL))
          .as("a store on another file system of the same server does not")
          .isZero();
    }
  }

  @Test
  void theServerKeyNamesBucketEndpointAndConnectionSettings() throws Exception {
    Map<String, String> conf = S3.hadoopConf();
    try (ObjectStore a = S3.openStore("probe-key-a");
        ObjectStore b = S3.openStore("probe-key-b")) {
      String keyA = S3aWrites.server(((HadoopObjectStore) a).context().fs());
      assertThat(keyA)
          .isEqualTo(S3aWrites.server(((HadoopObjectStore) b).context().fs()))
          .startsWith("s3a://")
          .contains("fs.s3a.endpoint=" + conf.get("fs.s3a.endpoint"))
          .doesNotContain(conf.get("fs.s3a.secret.key"));
    }
    Map<String, String> proxied = new java.util.HashMap<>(conf);
    proxied.put("fs.s3a.proxy.host", "127.0.0.1");
    proxied.put("fs.s3a.proxy.port", "1");
    org.apache.hadoop.conf.Configuration c = new org.apache.hadoop.conf.Configuration();
    proxied.forEach(c::set);
    org.apache.hadoop.conf.Configuration plain = new org.apache.hadoop.conf.Configuration();
    conf.forEach(plain::set);
    java.net.URI bucket = java.net.URI.create(S3.uri());
    try (org.apache.hadoop.fs.FileSystem viaProxy = newFileSystem(bucket, c);
        org.apache.hadoop.fs.FileSystem direct = newFileSystem(bucket, plain)) {
      assertThat(S3aWrites.server(viaProxy))
          .as("a proxy in between is another server for the probe")
          .isNotEqualTo(S3aWrites.server(direct));
    }
  }

  private static org.apache.hadoop.fs.FileSystem newFileSystem(
      java.net.URI uri, org.apache.hadoop.conf.Configuration c) throws Exception {
    c.setBoolean("fs.s3a.impl.disable.cache", true);
    return org.apache.hadoop.fs.FileSystem.newInstance(uri, c);
  }

  /**
   * Settings Hadoop suggests for some S3-compatible stores turn conditional creates off, and the
   * create-performance mode skips overwrite checks. IsleDB's create-if-absent stays atomic.
   */
  @Test
  void userSettingsCannotTurnConditionalCreatesOff() {
    Map<String, String> conf =
        Map.of(
            "fs.s3a.create.conditional.enabled", "false",
            "fs.s3a.create.performance", "true",
            "fs.s3a.performance.flags", "*");
    try (ObjectStore store = S3.openStore("probe-user-conf", conf)) {
      assertThat(store.createIfAbsent("manifest/log/1", b("first"))).isTrue();
      assertThat(store.createIfAbsent("manifest/log/1", b("second"))).isFalse();
      assertThat(store.get("manifest/log/1"))
          .hasValueSatisfying(v -> assertThat(v).isEqualTo(b("first")));
      store.checkAtomicCreate();
    }
  }

  /** A server that ignores If-None-Match: writers are refused, readers are not. */
  @Test
  void writersAreRefusedOnAStoreThatIgnoresConditionalCreates() throws Exception {
    try (S3ProxyServer server = S3ProxyServer.startWithoutAuthorization();
        HeaderStrippingProxy proxy =
            new HeaderStrippingProxy(URI.create(server.endpoint()).getPort(), "If-None-Match")) {
      Map<String, String> conf = server.hadoopConf();
      conf.put("fs.s3a.endpoint", proxy.endpoint());
      String prefix = S3ProxyServer.uniquePrefix("probe-ignored");
      try (ObjectStore store = IsleDB.openStore(server.bucketUri(), prefix, conf)) {
        // The premise: through the proxy, conditional creates silently overwrite.
        assertThat(store.createIfAbsent("premise", b("one"))).isTrue();
        assertThat(store.createIfAbsent("premise", b("two"))).isTrue();
        assertThat(proxy.stripped()).isGreaterThanOrEqualTo(2);
        store.delete("premise");

        String location = "s3a://" + S3ProxyServer.BUCKET + "/" + prefix + "/";
        assertThatThrownBy(store::checkAtomicCreate)
            .isInstanceOfSatisfying(
                IsleException.class,
                e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
            .hasMessageContaining(location)
            .hasMessageContaining("If-None-Match")
            .hasMessageNotContaining(conf.get("fs.s3a.secret.key"));
        assertThat(names(store)).as("the probe object is deleted").isEmpty();

        try (IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
          assertThatThrownBy(() -> db.openWriter(WriterOptions.defaults()))
              .isInstanceOfSatisfying(
                  IsleException.class,
                  e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
              .hasMessageContaining(location);
          try (Reader r = db.openReader(ReaderOptions.defaults())) {
            assertThat(r.get(b("k"))).isEmpty();
          }
        }
      }
    }
  }
}
