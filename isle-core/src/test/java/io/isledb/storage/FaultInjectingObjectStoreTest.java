package io.isledb.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.IsleException;
import io.isledb.ObjectStore;
import io.isledb.ObjectUpload;
import io.isledb.RequestStats.RequestKind;
import io.isledb.storage.FaultInjectingObjectStore.Fault;
import io.isledb.storage.FaultInjectingObjectStore.Operation;
import io.isledb.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultInjectingObjectStoreTest {
  private static final byte[] X = "x".getBytes(UTF_8);

  private static List<String> names(ObjectStore s, String prefix) {
    List<String> out = new ArrayList<>();
    s.list(prefix).forEachRemaining(i -> out.add(i.name()));
    return out;
  }

  /** Which of 200 gets failed, as a string of '.' and 'X'. */
  private static String failurePattern(FaultInjectingObjectStore store) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      try {
        store.get("k");
        sb.append('.');
      } catch (IsleException e) {
        assertThat(e.kind()).isEqualTo(IsleException.Kind.UNAVAILABLE);
        assertThat(e.getMessage()).contains("seed " + store.seed());
        sb.append('X');
      }
    }
    return sb.toString();
  }

  @Test
  void errorsAreSeededAndReplayable() {
    long seed = 20261124L;
    FaultInjectingObjectStore a =
        FaultInjectingObjectStore.builder(new InMemoryObjectStore())
            .seed(seed)
            .errors(Operation.GET, 0.3)
            .build();
    FaultInjectingObjectStore b =
        FaultInjectingObjectStore.builder(new InMemoryObjectStore())
            .seed(seed)
            .errors(Operation.GET, 0.3)
            .build();
    FaultInjectingObjectStore other =
        FaultInjectingObjectStore.builder(new InMemoryObjectStore())
            .seed(seed + 1)
            .errors(Operation.GET, 0.3)
            .build();
    String pa = failurePattern(a);
    assertThat(failurePattern(b)).as("same seed %d, same faults", seed).isEqualTo(pa);
    assertThat(failurePattern(other)).as("seed %d vs %d", seed, seed + 1).isNotEqualTo(pa);
    long failures = pa.chars().filter(c -> c == 'X').count();
    assertThat(a.injected(Fault.ERROR)).as("seed %d", seed).isEqualTo(failures);
    assertThat(failures).as("about 30%% of 200 with seed %d", seed).isBetween(35L, 85L);
  }

  @Test
  void injectedErrorsNeverReachTheStore() {
    InMemoryObjectStore real = new InMemoryObjectStore();
    FaultInjectingObjectStore store =
        FaultInjectingObjectStore.builder(real).seed(1).errors(Operation.PUT, 1.0).build();
    assertThatThrownBy(() -> store.put("a", X))
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.UNAVAILABLE))
        .hasMessageContaining("PUT of " + real.location() + "a");
    assertThat(real.get("a")).isEmpty();
    assertThat(real.stats().count(RequestKind.PUT)).isZero();
    // Other operations are untouched.
    assertThat(store.createIfAbsent("b", X)).isTrue();
  }

  @Test
  void lostResponsesLandTheWriteThenFail() {
    InMemoryObjectStore real = new InMemoryObjectStore();
    FaultInjectingObjectStore store =
        FaultInjectingObjectStore.builder(real)
            .seed(2)
            .lostResponses(Operation.PUT, 1.0)
            .lostResponses(Operation.DELETE, 1.0)
            .build();
    assertThatThrownBy(() -> store.put("a", X))
        .hasMessageContaining("was lost after the write landed");
    assertThat(real.get("a")).hasValueSatisfying(v -> assertThat(v).isEqualTo(X));
    assertThatThrownBy(() -> store.delete("a")).isInstanceOf(IsleException.class);
    assertThat(real.get("a")).isEmpty();
    assertThat(store.injected(Fault.LOST_RESPONSE)).isEqualTo(2);
    assertThatThrownBy(
            () -> FaultInjectingObjectStore.builder(real).lostResponses(Operation.GET, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void scheduledFaultsHitExactlyTheNextCalls() {
    InMemoryObjectStore real = new InMemoryObjectStore();
    FaultInjectingObjectStore store = FaultInjectingObjectStore.builder(real).seed(3).build();
    store.failNext(Operation.STAT, 2);
    assertThatThrownBy(() -> store.stat("a")).isInstanceOf(IsleException.class);
    assertThatThrownBy(() -> store.stat("a")).isInstanceOf(IsleException.class);
    assertThat(store.stat("a")).isEmpty();

    store.loseNextResponses(Operation.CREATE_IF_ABSENT, 1);
    assertThatThrownBy(() -> store.createIfAbsent("log/1", X)).isInstanceOf(IsleException.class);
    // The retry finds its own bytes: a win, as the ObjectStore contract requires.
    assertThat(store.createIfAbsent("log/1", X)).isTrue();
    assertThat(store.createIfAbsent("log/1", "y".getBytes(UTF_8))).isFalse();
    assertThat(store.injected(Fault.ERROR)).isEqualTo(2);
    assertThat(store.injected(Fault.LOST_RESPONSE)).isEqualTo(1);
    assertThat(store.injectedTotal()).isEqualTo(3);
  }

  @Test
  void latencyGoesThroughTheSleeper() {
    List<Duration> slept = new ArrayList<>();
    FaultInjectingObjectStore store =
        FaultInjectingObjectStore.builder(new InMemoryObjectStore())
            .seed(4)
            .latency(Operation.GET, Duration.ofMillis(250))
            .latency(Operation.LIST, Duration.ofSeconds(3))
            .sleeper(slept::add)
            .build();
    store.get("a");
    store.get("b");
    store.list("");
    store.put("c", X);
    // Every delay went to the injected sleeper (which returns at once), none to a real sleep.
    assertThat(slept)
        .containsExactly(Duration.ofMillis(250), Duration.ofMillis(250), Duration.ofSeconds(3));
    assertThat(store.injected(Fault.LATENCY)).isEqualTo(3);
  }

  @Test
  void listingsMissTheLastWrites() {
    FaultInjectingObjectStore store =
        FaultInjectingObjectStore.builder(new InMemoryObjectStore())
            .seed(5)
            .hideLastWrites(2)
            .build();
    store.put("a", X);
    store.put("b", X);
    store.put("c", X);
    assertThat(names(store, "")).containsExactly("a");
    store.createIfAbsent("d", X);
    assertThat(names(store, "")).containsExactly("a", "b");
    // Reads are not affected: only listings lag.
    assertThat(store.get("d")).isPresent();
    assertThat(store.injected(Fault.HIDDEN_FROM_LISTING)).isEqualTo(4);
  }

  @Test
  void listingsMissRecentWritesByTime() {
    MutableClock clock = new MutableClock(1_000_000);
    FaultInjectingObjectStore store =
        FaultInjectingObjectStore.builder(new InMemoryObjectStore())
            .seed(6)
            .clock(clock)
            .hideWrittenWithin(Duration.ofMillis(100))
            .build();
    store.put("a", X);
    clock.advance(Duration.ofMillis(50));
    store.put("b", X);
    clock.advance(Duration.ofMillis(10));
    assertThat(names(store, "")).isEmpty();
    clock.advance(Duration.ofMillis(60)); // a is 120 ms old, b 70 ms
    assertThat(names(store, "")).containsExactly("a");
    clock.advance(Duration.ofMillis(40));
    assertThat(names(store, "")).containsExactly("a", "b");
  }

  @Test
  void aScheduledFaultForSomeNamesLetsTheOthersThrough() {
    InMemoryObjectStore real = new InMemoryObjectStore();
    FaultInjectingObjectStore store = FaultInjectingObjectStore.builder(real).seed(5).build();
    store.failNext(Operation.UPLOAD, 1, "t1"::equals);
    try (ObjectUpload other = store.startUpload("t0");
        ObjectUpload meant = store.startUpload("t1")) {
      other.write(X);
      meant.write(X);
      other.complete();
      assertThatThrownBy(meant::complete).isInstanceOf(IsleException.class);
    }
    assertThat(real.get("t0")).isPresent();
    assertThat(real.get("t1")).isEmpty();
    try (ObjectUpload again = store.startUpload("t1")) {
      again.write(X);
      again.complete();
    }
    assertThat(real.get("t1")).as("only the next one of that name failed").isPresent();
    assertThat(store.injected(Fault.ERROR)).isEqualTo(1);
  }

  @Test
  void uploadsFailOrLoseTheirResponseOnComplete() {
    InMemoryObjectStore real = new InMemoryObjectStore();
    FaultInjectingObjectStore store = FaultInjectingObjectStore.builder(real).seed(7).build();
    store.failNext(Operation.UPLOAD, 1);
    try (ObjectUpload up = store.startUpload("u1")) {
      up.write(X);
      assertThatThrownBy(up::complete).isInstanceOf(IsleException.class);
    }
    assertThat(real.get("u1")).as("a failed completion publishes nothing").isEmpty();
    store.loseNextResponses(Operation.UPLOAD, 1);
    try (ObjectUpload up = store.startUpload("u2")) {
      up.write(X);
      assertThatThrownBy(up::complete).isInstanceOf(IsleException.class);
    }
    assertThat(real.get("u2")).as("a lost response follows a landed upload").isPresent();
  }

  @Test
  void probabilitiesAreValidated() {
    FaultInjectingObjectStore.Builder b =
        FaultInjectingObjectStore.builder(new InMemoryObjectStore());
    assertThatThrownBy(() -> b.errors(Operation.GET, 1.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.errors(Operation.GET, -0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.errors(Operation.GET, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
