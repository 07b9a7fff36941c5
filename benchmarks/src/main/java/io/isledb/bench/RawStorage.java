package io.isledb.bench;

import io.isledb.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The storage's own limit: PUT and GET throughput of whole objects of the size IsleDB writes, with
 * no engine in between. S3 through the same S3A client and server ({@link ObjectStore#put} and one
 * ranged GET of the whole object); the local disk through java.nio (write and fsync, then read).
 */
public final class RawStorage {
  private static final double MIB = 1024.0 * 1024.0;

  private RawStorage() {}

  /**
   * PUT (1 and 2 streams) and GET throughput of {@code objectSize}-byte objects on {@code store}.
   */
  public static List<Runs> objectStore(
      String engineName, ObjectStore store, int objectSize, long totalBytes, int runs) {
    int count = (int) Math.max(3, totalBytes / objectSize);
    byte[] payload = new byte[objectSize];
    new SplittableRandom(7).nextBytes(payload);
    Runs put1 = new Runs("raw-put-1-stream", engineName, "MiB/s");
    Runs put2 = new Runs("raw-put-2-streams", engineName, "MiB/s");
    Runs get1 = new Runs("raw-get-1-stream", engineName, "MiB/s");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    Cpu putCpu = new Cpu(0, 0);
    try {
      for (int run = 0; run <= runs; run++) {
        String base = "raw/run" + run + "/";
        Cpu c0 = Cpu.now();
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
          store.put(base + "a" + i, payload);
        }
        double s1 = (System.nanoTime() - t0) / 1e9;
        if (run > 0) {
          putCpu = putCpu.plus(Cpu.now().minus(c0));
        }
        t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          String name = base + "b" + i;
          fs.add(pool.submit(() -> store.put(name, payload)));
        }
        for (Future<?> f : fs) {
          f.get();
        }
        double s2 = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
          byte[] b = store.getRange(base + "a" + i, objectSize, 0, objectSize).orElseThrow();
          if (b.length != objectSize) {
            throw new IllegalStateException("short read");
          }
        }
        double s3 = (System.nanoTime() - t0) / 1e9;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          names.add(base + "a" + i);
          names.add(base + "b" + i);
        }
        store.deleteAll(names);
        if (run > 0) {
          double mib = (double) count * objectSize / MIB;
          put1.add(mib / s1);
          put2.add(mib / s2);
          get1.add(mib / s3);
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("raw storage measurement failed", e);
    } finally {
      pool.shutdownNow();
    }
    Workloads.putCpu(put1, putCpu, (double) count * objectSize * runs);
    for (Runs r : List.of(put1, put2, get1)) {
      r.details.put("object_MiB", Workloads.round(objectSize / MIB));
      r.details.put("objects_per_run", count);
      System.out.printf("  %s%n", r);
    }
    return List.of(put1, put2, get1);
  }

  /** Write-and-fsync and read throughput of {@code objectSize}-byte files in {@code dir}. */
  public static List<Runs> localDisk(Path dir, int objectSize, long totalBytes, int runs) {
    int count = (int) Math.max(3, totalBytes / objectSize);
    byte[] payload = new byte[objectSize];
    new SplittableRandom(7).nextBytes(payload);
    Runs put = new Runs("raw-put-1-stream", "local-disk", "MiB/s");
    Runs get = new Runs("raw-get-1-stream", "local-disk", "MiB/s");
    try {
      Files.createDirectories(dir);
      for (int run = 0; run <= runs; run++) {
        List<Path> files = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
          Path p = dir.resolve("raw-" + run + "-" + i);
          try (FileChannel ch =
              FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(payload);
            while (b.hasRemaining()) {
              ch.write(b);
            }
            ch.force(true);
          }
          files.add(p);
        }
        double s1 = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        for (Path p : files) {
          if (Files.readAllBytes(p).length != objectSize) {
            throw new IllegalStateException("short read");
          }
        }
        double s2 = (System.nanoTime() - t0) / 1e9;
        for (Path p : files) {
          Files.delete(p);
        }
        if (run > 0) {
          double mib = (double) count * objectSize / MIB;
          put.add(mib / s1);
          get.add(mib / s2);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Runs r : List.of(put, get)) {
      r.details.put("object_MiB", Workloads.round(objectSize / MIB));
      r.details.put("objects_per_run", count);
      System.out.printf("  %s%n", r);
    }
    return List.of(put, get);
  }
}
