package io.isledb.flink.connector.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.IsleException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TableLocationTest {
  @Test
  void s3aPathSplitsIntoBucketAndPrefix() {
    TableLocation l = TableLocation.of("s3a://bucket/warehouse/orders/", Map.of());
    assertThat(l.storeUri()).isEqualTo("s3a://bucket/");
    assertThat(l.prefix()).isEqualTo("warehouse/orders");
    assertThat(l.uri()).isEqualTo("s3a://bucket/warehouse/orders");
  }

  @Test
  void fileAndS3Schemes() {
    assertThat(TableLocation.of("file:///abs/dir/orders", Map.of()))
        .extracting(TableLocation::storeUri, TableLocation::prefix)
        .containsExactly("file:///", "abs/dir/orders");
    assertThat(TableLocation.of("s3://b/t", Map.of()).storeUri()).isEqualTo("s3a://b/");
  }

  @Test
  void badPathsAreRefusedNamingThePath() {
    assertThatThrownBy(() -> TableLocation.of("s3a://b/x/../y", Map.of()))
        .isInstanceOf(IsleException.class)
        .hasMessageContaining("'..'")
        .hasMessageContaining("s3a://b/x/../y");
    assertThatThrownBy(() -> TableLocation.of("/abs/dir", Map.of()))
        .hasMessageContaining("needs a scheme");
    assertThatThrownBy(() -> TableLocation.of("nosuchfs://b/t", Map.of()))
        .hasMessageContaining("'nosuchfs'");
    assertThatThrownBy(() -> TableLocation.of("s3a://bucket", Map.of()))
        .hasMessageContaining("names no database");
    assertThatThrownBy(() -> TableLocation.of(null, Map.of()))
        .hasMessageContaining("'path' is required");
  }

  @Test
  void hadoopPassThroughAndFlinkS3SettingsMapOntoS3a() {
    Map<String, String> conf =
        TableLocation.of(
                "s3://b/t",
                Map.of(
                    "s3.access-key", "AK",
                    "s3.secret-key", "SK",
                    "s3.endpoint", "http://127.0.0.1:9",
                    "s3.path.style.access", "true",
                    "hadoop.fs.s3a.endpoint", "http://127.0.0.1:10",
                    "scan.bounded", "true"))
            .hadoopConf();
    assertThat(conf)
        .containsEntry("fs.s3a.access.key", "AK")
        .containsEntry("fs.s3a.secret.key", "SK")
        .containsEntry("fs.s3a.path.style.access", "true")
        .containsEntry("fs.s3a.endpoint", "http://127.0.0.1:10") // hadoop.* wins
        .hasSize(4);
  }

  @Test
  void toStringNeverShowsSecrets() {
    TableLocation l =
        TableLocation.of(
            "s3a://b/t",
            Map.of(
                "hadoop.fs.s3a.secret.key", "SEKRIT1",
                "hadoop.fs.s3a.access.key", "SEKRIT2",
                "hadoop.fs.azure.account.key.acc.dfs.core.windows.net", "SEKRIT3",
                "hadoop.fs.foo.password", "SEKRIT4",
                "hadoop.fs.s3a.endpoint", "http://e"));
    assertThat(l.toString()).doesNotContain("SEKRIT").contains("http://e").contains("******");
  }
}
