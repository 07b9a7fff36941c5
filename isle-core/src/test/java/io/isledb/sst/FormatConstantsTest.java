package io.isledb.sst;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.CorruptionException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Persisted ids and constants: a change here breaks every file already written. */
class FormatConstantsTest {
  @Test
  void valueKindIdsNeverChange() {
    assertThat(ValueKind.DELETE.id()).isEqualTo((byte) 0);
    assertThat(ValueKind.PUT.id()).isEqualTo((byte) 1);
    assertThat(ValueKind.PUT_EXPIRING.id()).isEqualTo((byte) 2);
    assertThat(ValueKind.BLOB.id()).isEqualTo((byte) 3);
    assertThat(ValueKind.BLOB_EXPIRING.id()).isEqualTo((byte) 4);
    assertThat(ValueKind.APPEND.id()).isEqualTo((byte) 5);
    assertThat(ValueKind.values()).hasSize(6);
    for (ValueKind k : ValueKind.values()) {
      assertThat(ValueKind.fromId(k.id())).isEqualTo(k);
    }
    assertThatThrownBy(() -> ValueKind.fromId(6)).isInstanceOf(CorruptionException.class);
    assertThatThrownBy(() -> ValueKind.fromId(-1)).isInstanceOf(CorruptionException.class);
  }

  @Test
  void valueKindPredicates() {
    assertThat(ValueKind.DELETE.isTombstone()).isTrue();
    assertThat(ValueKind.PUT.isTombstone() || ValueKind.PUT.hasExpiry() || ValueKind.PUT.isBlob())
        .isFalse();
    assertThat(ValueKind.PUT_EXPIRING.hasExpiry()).isTrue();
    assertThat(ValueKind.PUT_EXPIRING.isBlob()).isFalse();
    assertThat(ValueKind.BLOB.isBlob()).isTrue();
    assertThat(ValueKind.BLOB.hasExpiry()).isFalse();
    assertThat(ValueKind.BLOB_EXPIRING.isBlob() && ValueKind.BLOB_EXPIRING.hasExpiry()).isTrue();
    assertThat(ValueKind.APPEND.isAppend()).isTrue();
    assertThat(
            ValueKind.APPEND.isTombstone()
                || ValueKind.APPEND.hasExpiry()
                || ValueKind.APPEND.isBlob())
        .isFalse();
  }

  @Test
  void compressionIdsNeverChange() {
    assertThat(Compression.NONE.id()).isEqualTo((byte) 0);
    assertThat(Compression.LZ4.id()).isEqualTo((byte) 1);
    assertThat(Compression.ZSTD.id()).isEqualTo((byte) 2);
    assertThat(Compression.values()).hasSize(3);
    assertThatThrownBy(() -> Compression.fromId(3)).isInstanceOf(CorruptionException.class);
  }

  @Test
  void layoutConstantsNeverChange() {
    assertThat(SstFormat.FORMAT_VERSION).isEqualTo(1);
    assertThat(new String(SstFormat.MAGIC, 1, 7, StandardCharsets.US_ASCII)).isEqualTo("ISLESST");
    assertThat(SstFormat.MAGIC[0]).isEqualTo((byte) 0x8F);
    assertThat(SstFormat.FOOTER_LENGTH).isEqualTo(64);
    assertThat(SstFormat.BLOCK_TRAILER_LENGTH).isEqualTo(5);
    assertThat(SstFormat.MAX_SEQUENCE).isEqualTo(0x00FF_FFFF_FFFF_FFFFL);
    assertThat(SstFormat.MAX_BLOCK_LENGTH).isEqualTo(128 << 20);
    assertThat(SstFormat.BLOOM_HASH_SEED).isEqualTo(0x1513_DB5E_ED00_0001L);
  }
}
