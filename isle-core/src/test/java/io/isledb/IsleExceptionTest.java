package io.isledb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** The retry contract of the error taxonomy. */
class IsleExceptionTest {

  @Test
  void onlyUnavailableAndConflictAreRetryable() {
    EnumSet<IsleException.Kind> retryable = EnumSet.noneOf(IsleException.Kind.class);
    for (IsleException.Kind k : IsleException.Kind.values()) {
      IsleException e = new IsleException(k, "x");
      assertThat(e.isRetryable()).as(k.name()).isEqualTo(k.isRetryable());
      if (e.isRetryable()) {
        retryable.add(k);
      }
    }
    assertThat(retryable)
        .containsExactlyInAnyOrder(IsleException.Kind.UNAVAILABLE, IsleException.Kind.CONFLICT);
    assertThat(new CorruptionException("bad").isRetryable()).isFalse();
    assertThat(new FencedException("newer writer").isRetryable()).isFalse();
    assertThat(IsleException.unavailable("down", null).isRetryable()).isTrue();
    assertThat(IsleException.internal("bug").kind()).isEqualTo(IsleException.Kind.INTERNAL);
  }
}
