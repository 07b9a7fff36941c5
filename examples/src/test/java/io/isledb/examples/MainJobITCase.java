package io.isledb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job's short run end to end (README command 1 with {@code --short}): the report's figures
 * are consistent with the model of the generator and with each other.
 */
class MainJobITCase {
  @TempDir Path dir;

  @Test
  void shortRunIsExactlyOnceAndItsReportAddsUp() throws Exception {
    JobSettings s =
        JobSettings.parse(new String[] {"--short", "--storage", dir.toUri().toString()});
    RunReport r = MainJob.run(s, "run-test");
    String text = r.text();

    assertThat(r.modelRows()).as(text).isEqualTo(Orders.model(1_200, 8).size()).isPositive();
    // Exactly once: the table equals the model, and its log holds one put per row.
    assertThat(r.tableEqualsModel()).as(text).isTrue();
    assertThat(r.tableRows()).as(text).isEqualTo(r.modelRows());
    assertThat(r.changeLog().puts()).as(text).isEqualTo(r.modelRows());
    assertThat(r.changeLog().deletes()).as(text).isZero();
    assertThat(r.changeLog().distinctKeys()).as(text).isEqualTo(r.modelRows());
    // The failure happened and the job restored the checkpoint it was armed by (or a later one).
    assertThat(r.restores()).as(text).isGreaterThanOrEqualTo(1);
    assertThat(r.restoredCheckpoint()).as(text).isGreaterThanOrEqualTo(2);
    assertThat(r.stateBackend()).as(text).isEqualTo("isle");
    // One version per checkpoint at most, and the versions seen hold every change.
    assertThat(r.checkpoints()).as(text).isNotEmpty();
    assertThat((long) r.changeLog().perVersion().size())
        .as(text)
        .isLessThanOrEqualTo(r.checkpoints().get(r.checkpoints().size() - 1).id());
    assertThat(r.changeLog().perVersion().values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(r.modelRows());
    for (RunReport.Checkpoint c : r.checkpoints()) {
      if (c.tableVersion() >= 0) {
        assertThat(r.changeLog().perVersion()).as(text).containsKey(c.tableVersion());
      }
    }
    // The lookup join enriched every shipment of a known window with the model's totals.
    assertThat(r.lookups().enriched()).as(text).isEqualTo(r.modelRows());
    assertThat(r.lookups().unmatched()).as(text).isEqualTo(1);
    assertThat(r.lookups().wrong()).as(text).isZero();
    assertThat(r.continuous().reachedModel()).as(text).isTrue();
    assertThat(r.continuous().changes()).as(text).isGreaterThanOrEqualTo(r.modelRows());
    // Requests were counted, and the data lies where the report says.
    assertThat(r.requests().get("state backend (all backends)")).as(text).containsKey("PUT");
    assertThat(r.storage().places().get(0).databases()).as(text).isEqualTo(1);
    assertThat(r.storage().places().get(1).databases()).as(text).isPositive();
    assertThat(dir.resolve("run-test/tables/customer_windows/manifest")).isDirectory();
    assertThat(r.exactlyOnce()).as(text).isTrue();
    assertThat(text).contains("EXACTLY ONCE").contains("restored checkpoint");
  }

  @Test
  void helpListsEveryFlag() {
    assertThat(JobSettings.wantsHelp(new String[] {"--help"})).isTrue();
    for (String flag :
        new String[] {
          "--storage",
          "--checkpoints",
          "--hadoop",
          "--properties",
          "--orders",
          "--orders-per-checkpoint",
          "--checkpoint-interval",
          "--customers",
          "--fail-after-checkpoint",
          "--short",
          "s3a://",
          "abfs://"
        }) {
      assertThat(JobSettings.usage()).contains(flag);
    }
  }

  @Test
  void propertiesFileAndFlagsSwitchTheStorage() throws Exception {
    Path props = dir.resolve("s3.properties");
    java.nio.file.Files.writeString(
        props,
        "storage=s3a://bucket/isle\norders=500\nhadoop.fs.s3a.endpoint=http://127.0.0.1:9000\n");
    JobSettings s =
        JobSettings.parse(
            new String[] {
              "--properties",
              props.toString(),
              "--orders",
              "600",
              "--hadoop",
              "fs.s3a.path.style.access=true"
            });
    assertThat(s.storage()).isEqualTo("s3a://bucket/isle");
    assertThat(s.orders()).isEqualTo(600);
    assertThat(s.hadoop())
        .containsEntry("fs.s3a.endpoint", "http://127.0.0.1:9000")
        .containsEntry("fs.s3a.path.style.access", "true");
    assertThat(s.tablePath("r")).isEqualTo("s3a://bucket/isle/r/tables/customer_windows");
    assertThat(s.checkpoints()).startsWith("file:");
    assertThat(MainJob.ddl(s, "r")).contains("'hadoop.fs.s3a.endpoint' = 'http://127.0.0.1:9000'");
  }
}
