package io.isledb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DataStream example: IsleSink writes, a bounded IsleSource reads back exactly the model. */
class DataStreamExampleITCase {
  @TempDir Path dir;

  @Test
  void writesAndReadsBackTheModel() throws Exception {
    String path = dir.toUri() + "scores";
    DataStreamExample.write(path, 300);
    assertThat(DataStreamExample.read(path)).isEqualTo(DataStreamExample.model(300));
  }
}
