package io.isledb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.manifest.ManifestPaths;
import io.isledb.sst.BlockCache;
import io.isledb.sst.TableOptions;
import io.isledb.sst.TableReader;
import io.isledb.storage.InMemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The one record of table settings shared by the writer, compactor and SST writer options. */
class TableSettingsTest {

  private static void rejects(Runnable build, String message) {
    assertThatThrownBy(build::run)
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT))
        .hasMessage(message);
  }

  @Test
  void everyOutOfRangeValueIsRejectedNamingTheOptionTheValueAndTheRange() {
    TableSettings d = TableSettings.writerDefaults();
    rejects(
        () -> d.withBlockSize(255), "TableSettings.blockSize must be in [256, 4194304], got 255");
    rejects(
        () -> d.withBlockSize((4 << 20) + 1),
        "TableSettings.blockSize must be in [256, 4194304], got 4194305");
    rejects(
        () -> d.withBloomBitsPerKey(-1),
        "TableSettings.bloomBitsPerKey must be in [0, 64], got -1");
    rejects(
        () -> d.withBloomBitsPerKey(65),
        "TableSettings.bloomBitsPerKey must be in [0, 64], got 65");
    assertThatThrownBy(() -> d.withCompression(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("compression");
    // The bounds themselves are accepted.
    assertThat(d.withBlockSize(256).withBlockSize(4 << 20).blockSize()).isEqualTo(4 << 20);
    assertThat(d.withBloomBitsPerKey(0).withBloomBitsPerKey(64).bloomBitsPerKey()).isEqualTo(64);
  }

  @Test
  void theThreeOptionsRecordsValidateThroughTheSameRecord() {
    String msg = "TableSettings.blockSize must be in [256, 4194304], got 100";
    rejects(() -> WriterOptions.defaults().withBlockSize(100), msg);
    rejects(() -> CompactorOptions.defaults().withBlockSize(100), msg);
    rejects(
        () ->
            SstWriterOptions.defaults()
                .withTable(TableSettings.writerDefaults().withBlockSize(100)),
        msg);
    assertThatThrownBy(() -> WriterOptions.defaults().withTable(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("table");
    assertThatThrownBy(() -> CompactorOptions.defaults().withTable(null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> SstWriterOptions.defaults().withTable(null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void defaultsAreTheCheapCodecForFlushesAndZstdForCompaction() {
    assertThat(WriterOptions.defaults().table())
        .isEqualTo(new TableSettings(Compression.LZ4, 16 << 10, 10))
        .isEqualTo(TableSettings.writerDefaults());
    assertThat(SstWriterOptions.defaults().table()).isEqualTo(TableSettings.writerDefaults());
    assertThat(CompactorOptions.defaults().table())
        .isEqualTo(new TableSettings(Compression.ZSTD, 16 << 10, 10))
        .isEqualTo(TableSettings.compactorDefaults());
    assertThat(WriterOptions.defaults().withBlockSize(1024).table().compression())
        .isEqualTo(Compression.LZ4);
  }

  @Test
  void parseAcceptsTheOptionNamesInAnyCase() {
    for (Compression c : Compression.values()) {
      assertThat(Compression.parse(c.optionName())).isEqualTo(c);
      assertThat(Compression.parse(c.optionName().toUpperCase())).isEqualTo(c);
    }
    assertThat(Compression.parse(" Zstd ")).isEqualTo(Compression.ZSTD);
    assertThat(Arrays.stream(Compression.values()).map(Compression::optionName))
        .containsExactly("none", "lz4", "zstd");
  }

  @Test
  void parseRejectsUnknownNamesListingTheAllowedOnes() {
    for (String bad : new String[] {"snappy", "", "lz", "gzip"}) {
      rejects(
          () -> Compression.parse(bad),
          "compression must be one of none, lz4, zstd; got '" + bad + "'");
    }
    assertThatThrownBy(() -> Compression.parse(null)).isInstanceOf(NullPointerException.class);
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void eachCodecMapsOntoThePersistedCodecOfTheSameName(Compression c) {
    TableOptions o =
        TableOptions.defaults().withSettings(new TableSettings(c, 4096, 7)).withRestartInterval(3);
    assertThat(o.compression().name()).isEqualTo(c.name());
    assertThat(o.blockSize()).isEqualTo(4096);
    assertThat(o.bloomBitsPerKey()).isEqualTo(7);
    assertThat(o.restartInterval()).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void flushedTablesRecordTheWritersCodec(Compression c) {
    try (ObjectStore store = new InMemoryObjectStore();
        IsleDB db = IsleDB.open(store, DBOptions.defaults())) {
      try (Writer w =
          db.openWriter(
              WriterOptions.defaults()
                  .withFlushInterval(Duration.ZERO)
                  .withTable(TableSettings.writerDefaults().withCompression(c)))) {
        w.put("k".getBytes(StandardCharsets.UTF_8), new byte[1000]);
        w.flush();
      }
      List<ObjectInfo> tables = new ArrayList<>();
      store.list(ManifestPaths.SST_DIR).forEachRemaining(tables::add);
      assertThat(tables).hasSize(1);
      ObjectInfo t = tables.get(0);
      TableReader r =
          TableReader.open(
              t.name(),
              t.size(),
              (off, len) -> store.getRange(t.name(), off, len).orElseThrow(),
              BlockCache.none(),
              0);
      assertThat(r.properties().compression().name()).isEqualTo(c.name());
    }
  }
}
