package io.isledb.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.ObjectStore;
import io.isledb.ObjectUpload;
import io.isledb.RequestStats;
import io.isledb.RequestStats.RequestKind;
import io.isledb.storage.FaultInjectingObjectStore;
import io.isledb.storage.FaultInjectingObjectStore.Operation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The semantics every {@link ObjectStore} must have, as one suite that runs against each store:
 * subclass it, return a store on a fresh, empty prefix from {@link #openStore()}, and override the
 * hooks where a backend can check more (for example S3A's HTTP request counters).
 *
 * <p>Lives in the test-jar so that stores added by later modules run the same contract.
 */
public abstract class ObjectStoreContract {
  /** A store on a fresh, empty prefix. */
  protected abstract ObjectStore openStore();

  /** Rounds of the 8-thread create-if-absent race. */
  protected int raceRounds() {
    return 100;
  }

  /**
   * Objects in the listing test: more than the 1000 keys an S3 LIST page holds. Backends whose
   * listing is not paged by IsleDB may use fewer.
   */
  protected int listingObjects() {
    return 1205;
  }

  /** Writes each name with its name as content, 8 at a time (set-up, not what is tested). */
  protected void putAll(List<String> names) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> puts = new ArrayList<>();
      for (String name : names) {
        puts.add(pool.submit(() -> store.put(name, bytes(name))));
      }
      for (Future<?> f : puts) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Called after listing more than 1000 objects with the request counts it cost; backends with real
   * pagination check it took more than one list request.
   */
  protected void assertListWasPaginated(RequestStats cost) {
    assertThat(cost.count(RequestKind.LIST_PAGE)).isGreaterThanOrEqualTo(1);
  }

  /**
   * Called with the cost of reading only the first entry of a listing of more than 1000 objects;
   * backends with real pagination check it fetched only the first page.
   */
  protected void assertEarlyStopReadOnePage(RequestStats cost) {
    assertThat(cost.count(RequestKind.LIST_PAGE)).isEqualTo(1);
  }

  protected ObjectStore store;

  @BeforeEach
  void openTheStore() {
    store = openStore();
  }

  @AfterEach
  void closeTheStore() {
    if (store != null) {
      store.close();
    }
  }

  protected static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  protected static byte[] pattern(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (i * 31 + 7);
    }
    return b;
  }

  protected static List<String> names(Iterator<ObjectInfo> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(i -> out.add(i.name()));
    return out;
  }

  // ---------------------------------------------------------------- reads and writes

  @Test
  void missingObjectsReadAsEmpty() {
    assertThat(store.get("nope/x")).isEmpty();
    assertThat(store.getRange("nope/x", 0, 10)).isEmpty();
    assertThat(store.getRange("nope/x", 100, 0, 10)).isEmpty();
    assertThat(store.getRange("nope/x", 100, 100, 10)).isEmpty();
    assertThat(store.stat("nope/x")).isEmpty();
    assertThat(names(store.list(""))).isEmpty();
    assertThat(names(store.list("nope/"))).isEmpty();
  }

  @Test
  void putThenGetAndStat() {
    byte[] data = pattern(3000);
    store.put("dir/sub/object.bin", data);
    assertThat(store.get("dir/sub/object.bin"))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(data));
    ObjectInfo info = store.stat("dir/sub/object.bin").orElseThrow();
    assertThat(info.name()).isEqualTo("dir/sub/object.bin");
    assertThat(info.size()).isEqualTo(3000);
    assertThat(info.lastModifiedMillis()).isGreaterThan(0);
    assertThat(store.stat("dir/sub")).as("a 'directory' is not an object").isEmpty();
    assertThat(store.get("dir/sub/object")).as("no prefix match on reads").isEmpty();
  }

  @Test
  void emptyObjectsExist() {
    store.put("empty", new byte[0]);
    assertThat(store.get("empty")).hasValueSatisfying(v -> assertThat(v).isEmpty());
    assertThat(store.stat("empty").orElseThrow().size()).isZero();
    assertThat(store.getRange("empty", 0, 10)).hasValueSatisfying(v -> assertThat(v).isEmpty());
    assertThat(store.getRange("empty", 0, 0, 10)).hasValueSatisfying(v -> assertThat(v).isEmpty());
    assertThat(names(store.list(""))).containsExactly("empty");
  }

  @Test
  void putReplacesTheWholeObject() {
    store.put("obj", pattern(5000));
    store.put("obj", bytes("short"));
    assertThat(store.get("obj")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("short")));
    assertThat(store.stat("obj").orElseThrow().size()).isEqualTo(5);
  }

  @Test
  void rangedReadsAtTheEdges() {
    byte[] data = pattern(100);
    store.put("r", data);
    for (boolean sizeKnown : new boolean[] {false, true}) {
      String how = sizeKnown ? "with known size" : "without size";
      assertThat(range("r", sizeKnown, 0, 10)).as(how).isEqualTo(Arrays.copyOfRange(data, 0, 10));
      assertThat(range("r", sizeKnown, 40, 20)).as(how).isEqualTo(Arrays.copyOfRange(data, 40, 60));
      assertThat(range("r", sizeKnown, 0, 100)).as(how).isEqualTo(data);
      assertThat(range("r", sizeKnown, 0, 0)).as(how + ": 0-length").isEmpty();
      assertThat(range("r", sizeKnown, 50, 0)).as(how + ": 0-length inside").isEmpty();
      assertThat(range("r", sizeKnown, 95, 10))
          .as(how + ": clipped end")
          .isEqualTo(Arrays.copyOfRange(data, 95, 100));
      assertThat(range("r", sizeKnown, 0, 1000)).as(how + ": clipped whole").isEqualTo(data);
      assertThat(range("r", sizeKnown, 99, 1)).as(how + ": last byte").containsExactly(data[99]);
      assertThat(range("r", sizeKnown, 100, 10)).as(how + ": at end").isEmpty();
      assertThat(range("r", sizeKnown, 250, 10)).as(how + ": past end").isEmpty();
    }
    assertThatThrownBy(() -> store.getRange("r", -1, 10))
        .isInstanceOfSatisfying(IsleException.class, e -> assertInvalid(e));
    assertThatThrownBy(() -> store.getRange("r", 0, -1))
        .isInstanceOfSatisfying(IsleException.class, e -> assertInvalid(e));
  }

  private byte[] range(String name, boolean sizeKnown, long offset, int length) {
    Optional<byte[]> r =
        sizeKnown
            ? store.getRange(name, 100, offset, length)
            : store.getRange(name, offset, length);
    assertThat(r).as("range %d+%d of an existing object", offset, length).isPresent();
    return r.get();
  }

  @Test
  void largeObjectsRoundTrip() {
    byte[] data = new byte[3 * 1024 * 1024 + 17];
    new Random(7).nextBytes(data);
    store.put("big", data);
    assertThat(store.get("big")).hasValueSatisfying(v -> assertThat(v).isEqualTo(data));
    assertThat(store.getRange("big", data.length, 2_000_000, 70_000))
        .hasValueSatisfying(
            v -> assertThat(v).isEqualTo(Arrays.copyOfRange(data, 2_000_000, 2_070_000)));
  }

  // ---------------------------------------------------------------- create-if-absent

  @Test
  void createIfAbsentCreatesOnce() {
    assertThat(store.hasAtomicCreateIfAbsent()).isTrue();
    assertThat(store.createIfAbsent("log/1", bytes("first"))).isTrue();
    assertThat(store.createIfAbsent("log/1", bytes("second"))).isFalse();
    assertThat(store.get("log/1")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("first")));
    assertThat(names(store.list(""))).containsExactly("log/1");
  }

  @Test
  void createIfAbsentWithTheSameBytesCountsAsOwnEarlierWrite() {
    assertThat(store.createIfAbsent("log/1", bytes("edit-A"))).isTrue();
    // What a retry sees after its first attempt landed but the response was lost.
    assertThat(store.createIfAbsent("log/1", bytes("edit-A"))).isTrue();
    assertThat(store.createIfAbsent("log/1", bytes("edit-B"))).isFalse();
  }

  @Test
  void createIfAbsentLosesToAPut() {
    store.put("x", bytes("put"));
    assertThat(store.createIfAbsent("x", bytes("create"))).isFalse();
    assertThat(store.get("x")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("put")));
  }

  @Test
  void lostResponseAfterALandedCreateIsStillAWin() {
    FaultInjectingObjectStore faulty = FaultInjectingObjectStore.builder(store).seed(1).build();
    faulty.loseNextResponses(Operation.CREATE_IF_ABSENT, 1);
    byte[] mine = bytes("writer-1 edit");
    assertThatThrownBy(() -> faulty.createIfAbsent("manifest/log/00000000000000000001.json", mine))
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.UNAVAILABLE));
    assertThat(faulty.injected(FaultInjectingObjectStore.Fault.LOST_RESPONSE)).isEqualTo(1);
    // The writer retries: its bytes are there, so it won.
    assertThat(faulty.createIfAbsent("manifest/log/00000000000000000001.json", mine)).isTrue();
    // A different writer for the same slot lost.
    assertThat(store.createIfAbsent("manifest/log/00000000000000000001.json", bytes("writer-2")))
        .isFalse();
    assertThat(store.get("manifest/log/00000000000000000001.json"))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(mine));
  }

  @Test
  void eightWritersRaceForEachSlotAndExactlyOneWins() throws Exception {
    int threads = 8;
    int rounds = raceRounds();
    CyclicBarrier barrier = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < rounds; round++) {
        String name = String.format("race/%05d", round);
        List<byte[]> contents = new ArrayList<>();
        List<Future<Boolean>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          byte[] content = bytes("round " + round + " writer " + t);
          contents.add(content);
          results.add(
              pool.submit(
                  () -> {
                    barrier.await(30, TimeUnit.SECONDS);
                    return store.createIfAbsent(name, content);
                  }));
        }
        List<Integer> winners = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          if (results.get(t).get(60, TimeUnit.SECONDS)) {
            winners.add(t);
          }
        }
        assertThat(winners).as("winners of round %d", round).hasSize(1);
        byte[] winnersContent = contents.get(winners.get(0));
        assertThat(store.get(name))
            .as("content of round %d is the winner's", round)
            .hasValueSatisfying(v -> assertThat(v).isEqualTo(winnersContent));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(names(store.list("race/"))).hasSize(rounds);
  }

  // ---------------------------------------------------------------- uploads

  @Test
  void uploadBecomesVisibleOnlyOnComplete() {
    byte[] data = pattern(200_000);
    try (ObjectUpload up = store.startUpload("sst/000/a.sst")) {
      up.write(data, 0, 1000);
      up.write(data, 1000, data.length - 1000);
      assertThat(up.position()).isEqualTo(data.length);
      assertThat(store.get("sst/000/a.sst")).as("not visible before complete").isEmpty();
      assertThat(names(store.list(""))).as("nothing listable before complete").isEmpty();
      assertThat(up.complete()).isEqualTo(data.length);
    }
    assertThat(store.get("sst/000/a.sst")).hasValueSatisfying(v -> assertThat(v).isEqualTo(data));
    assertThat(names(store.list(""))).containsExactly("sst/000/a.sst");
  }

  @Test
  void reclaimingAbandonedTemporariesNeverTouchesObjectsOrLiveUploads() {
    store.put("sst/000/a.sst", bytes("a"));
    assertThat(store.createIfAbsent("log/1", bytes("edit"))).isTrue();
    try (ObjectUpload up = store.startUpload("sst/000/b.sst")) {
      up.write(pattern(1000));
      // Even with a cutoff in the future (everything counts as idle) objects stay; the live
      // upload may lose its staging file, in which case it must fail rather than publish garbage.
      assertThat(store.deleteAbandonedTemporaries("", Long.MAX_VALUE)).isGreaterThanOrEqualTo(0);
      try {
        up.complete();
        assertThat(store.get("sst/000/b.sst"))
            .hasValueSatisfying(v -> assertThat(v).isEqualTo(pattern(1000)));
      } catch (io.isledb.IsleException e) {
        assertThat(e.kind()).isEqualTo(io.isledb.IsleException.Kind.UNAVAILABLE);
        assertThat(store.get("sst/000/b.sst")).isEmpty();
      }
    }
    assertThat(names(store.list("sst/"))).contains("sst/000/a.sst");
    assertThat(store.get("log/1")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("edit")));
  }

  @Test
  void abandonedUploadLeavesNothing() {
    try (ObjectUpload up = store.startUpload("sst/000/b.sst")) {
      up.write(pattern(50_000));
    }
    assertThat(store.get("sst/000/b.sst")).isEmpty();
    assertThat(names(store.list(""))).isEmpty();
    // An abandoned upload does not disturb an existing object of the same name.
    store.put("sst/000/c.sst", bytes("old"));
    try (ObjectUpload up = store.startUpload("sst/000/c.sst")) {
      up.write(pattern(10));
    }
    assertThat(store.get("sst/000/c.sst"))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("old")));
    assertThat(names(store.list(""))).containsExactly("sst/000/c.sst");
  }

  @Test
  void completedUploadCannotBeWrittenAgain() {
    ObjectUpload up = store.startUpload("u");
    up.write(bytes("abc"));
    assertThat(up.complete()).isEqualTo(3);
    assertThatThrownBy(() -> up.write(bytes("more")))
        .isInstanceOfSatisfying(
            IsleException.class, e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.CLOSED));
    assertThatCode(up::close).doesNotThrowAnyException();
    assertThat(store.get("u")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("abc")));
  }

  // ---------------------------------------------------------------- listing

  @Test
  void listingIsInByteOrderAcrossDirectories() {
    List<String> all =
        List.of(
            "a-c", "a/b", "a/c/d", "a/c-e", "a.x", "a0", "a=1", "a_z", "A", "b", "a/b-c/x",
            "a/b.c");
    for (String n : all) {
      store.put(n, bytes(n));
    }
    List<String> expected = new ArrayList<>(all);
    expected.sort(null); // String order is byte order for these ASCII names
    List<ObjectInfo> listed = new ArrayList<>();
    store.list("").forEachRemaining(listed::add);
    assertThat(listed).extracting(ObjectInfo::name).containsExactlyElementsOf(expected);
    for (ObjectInfo info : listed) {
      assertThat(info.size()).as(info.name()).isEqualTo(info.name().length());
      assertThat(info.lastModifiedMillis()).as(info.name()).isGreaterThan(0);
    }
    assertThat(names(store.list("a/")))
        .containsExactly("a/b", "a/b-c/x", "a/b.c", "a/c-e", "a/c/d");
  }

  @Test
  void listingAPartialPrefix() {
    for (String n : List.of("log/0001", "log/0002", "log/0010", "log/1000", "logx", "lo", "m")) {
      store.put(n, bytes(n));
    }
    assertThat(names(store.list("log/000"))).containsExactly("log/0001", "log/0002");
    assertThat(names(store.list("log/00"))).containsExactly("log/0001", "log/0002", "log/0010");
    assertThat(names(store.list("log/")))
        .containsExactly("log/0001", "log/0002", "log/0010", "log/1000");
    assertThat(names(store.list("log")))
        .containsExactly("log/0001", "log/0002", "log/0010", "log/1000", "logx");
    assertThat(names(store.list("lo")))
        .containsExactly("lo", "log/0001", "log/0002", "log/0010", "log/1000", "logx");
    assertThat(names(store.list("log/0001"))).containsExactly("log/0001");
    assertThat(names(store.list("log/2"))).isEmpty();
    assertThat(names(store.list("zz/"))).isEmpty();
  }

  @Test
  void listingManyObjectsIsCompleteAndPaginated() throws Exception {
    int count = listingObjects();
    List<String> names =
        IntStream.range(0, count).mapToObj(i -> String.format("page/%05d", i)).toList();
    putAll(names);
    store.put("pagf", bytes("after the prefix"));
    RequestStats before = store.stats();
    List<String> listed = names(store.list("page/"));
    RequestStats cost = store.stats().minus(before);
    assertThat(listed).containsExactlyElementsOf(names);
    assertListWasPaginated(cost);

    RequestStats beforeFirst = store.stats();
    assertThat(store.list("page/").next().name()).isEqualTo("page/00000");
    assertEarlyStopReadOnePage(store.stats().minus(beforeFirst));
  }

  @Test
  void listingSurvivesWritesDuringIteration() {
    for (int i = 0; i < 5; i++) {
      store.put("lazy/" + i, bytes("x"));
    }
    Iterator<ObjectInfo> it = store.list("lazy/");
    assertThat(it.next().name()).isEqualTo("lazy/0");
    store.put("lazy/9", bytes("late"));
    List<String> rest = names(it);
    assertThat(rest).startsWith("lazy/1", "lazy/2", "lazy/3", "lazy/4");
  }

  // ---------------------------------------------------------------- deletes

  @Test
  void deleteIsIdempotent() {
    store.put("d/x", bytes("x"));
    store.put("d/y", bytes("y"));
    store.delete("d/x");
    assertThat(store.get("d/x")).isEmpty();
    assertThatCode(() -> store.delete("d/x")).doesNotThrowAnyException();
    assertThatCode(() -> store.delete("never/existed")).doesNotThrowAnyException();
    assertThat(names(store.list(""))).containsExactly("d/y");
  }

  @Test
  void deleteAllRemovesManyAndToleratesMissing() throws Exception {
    List<String> doomed = new ArrayList<>();
    for (int i = 0; i < 260; i++) {
      doomed.add(String.format("bulk/%04d", i));
    }
    putAll(doomed);
    store.put("keep/me", bytes("k"));
    doomed.add("bulk/missing-1");
    doomed.add("missing/2");
    store.deleteAll(doomed);
    assertThat(names(store.list(""))).containsExactly("keep/me");
    assertThatCode(() -> store.deleteAll(doomed)).doesNotThrowAnyException();
    assertThatCode(() -> store.deleteAll(List.of())).doesNotThrowAnyException();
  }

  // ---------------------------------------------------------------- names, counting, closing

  private static final List<String> BAD_NAMES =
      List.of(
          "..",
          "a/../b",
          "/abs",
          "a//b",
          "a/",
          ".hidden",
          "dir/.tmp-x",
          "a b",
          "ü",
          "a\\b",
          "a:b",
          "x".repeat(513));

  private static void assertInvalid(IsleException e) {
    assertThat(e.kind()).isEqualTo(IsleException.Kind.INVALID_ARGUMENT);
  }

  @Test
  void invalidNamesAreRejectedByEveryOperation() {
    List<Consumer<String>> ops =
        List.of(
            n -> store.get(n),
            n -> store.getRange(n, 0, 1),
            n -> store.getRange(n, 1, 0, 1),
            n -> store.put(n, bytes("x")),
            n -> store.createIfAbsent(n, bytes("x")),
            n -> store.startUpload(n).close(),
            n -> store.stat(n),
            n -> store.delete(n),
            n -> store.deleteAll(List.of("fine", n)));
    List<String> bad = new ArrayList<>(BAD_NAMES);
    bad.add("");
    for (String name : bad) {
      for (int i = 0; i < ops.size(); i++) {
        Consumer<String> op = ops.get(i);
        String shown = name.length() > 40 ? name.substring(0, 40) : name;
        assertThatThrownBy(() -> op.accept(name))
            .as("operation %d with name '%s'", i, shown)
            .isInstanceOfSatisfying(
                IsleException.class,
                e -> {
                  assertInvalid(e);
                  if (!name.isEmpty() && name.length() <= 512) {
                    assertThat(e.getMessage()).contains("'" + name + "'");
                  }
                });
      }
    }
    for (String prefix : List.of("../x", "/abs", "a//b", "/", ".tmp")) {
      assertThatThrownBy(() -> store.list(prefix))
          .as("list prefix '%s'", prefix)
          .isInstanceOfSatisfying(IsleException.class, ObjectStoreContract::assertInvalid);
    }
    assertThat(names(store.list(""))).as("nothing was written").isEmpty();
  }

  @Test
  void requestsAreCountedWithBytes() {
    RequestStats t0 = store.stats();
    store.put("c/1", pattern(1000));
    RequestStats put = store.stats().minus(t0);
    assertThat(put.count(RequestKind.PUT)).isEqualTo(1);
    assertThat(put.total()).isEqualTo(1);
    assertThat(put.bytesWritten()).isEqualTo(1000);

    RequestStats t1 = store.stats();
    store.get("c/1");
    store.getRange("c/1", 1000, 100, 50);
    RequestStats reads = store.stats().minus(t1);
    assertThat(reads.count(RequestKind.GET)).isEqualTo(1);
    assertThat(reads.count(RequestKind.GET_RANGE)).isEqualTo(1);
    assertThat(reads.bytesRead()).isEqualTo(1050);

    RequestStats t2 = store.stats();
    store.createIfAbsent("c/2", pattern(10));
    store.stat("c/2");
    store.delete("c/2");
    RequestStats rest = store.stats().minus(t2);
    assertThat(rest.count(RequestKind.CREATE_IF_ABSENT)).isEqualTo(1);
    assertThat(rest.count(RequestKind.STAT)).isEqualTo(1);
    assertThat(rest.count(RequestKind.DELETE)).isEqualTo(1);
    assertThat(rest.bytesWritten()).isEqualTo(10);
  }

  @Test
  void everyOperationFailsWithClosedAfterClose() {
    store.put("x", bytes("x"));
    ObjectUpload pending = store.startUpload("pending");
    pending.write(bytes("abc"));
    store.close();
    assertThatCode(store::close).as("close is idempotent").doesNotThrowAnyException();
    List<Runnable> ops =
        List.of(
            () -> store.get("x"),
            () -> store.getRange("x", 0, 1),
            () -> store.getRange("x", 1, 0, 1),
            () -> store.put("x", bytes("y")),
            () -> store.createIfAbsent("y", bytes("y")),
            () -> store.startUpload("z"),
            () -> store.stat("x"),
            () -> store.list(""),
            () -> store.delete("x"),
            () -> store.deleteAll(List.of("x")),
            pending::complete);
    for (int i = 0; i < ops.size(); i++) {
      assertThatThrownBy(ops.get(i)::run)
          .as("operation %d after close", i)
          .isInstanceOfSatisfying(
              IsleException.class, e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.CLOSED));
    }
    store = null;
  }
}
