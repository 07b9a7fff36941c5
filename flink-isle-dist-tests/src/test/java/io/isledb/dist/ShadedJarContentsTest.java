package io.isledb.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * What the shaded jars hold: classes only under the packages docs/packaging.md names (ours, the
 * relocated {@code io.isledb.shaded}, Hadoop, the AWS SDK v2, zstd-jni), so no unrelocated Guava,
 * Jackson, Caffeine, commons-*, Netty, slf4j or log4j, and no Flink class; the merged service files
 * Flink and Hadoop discover; nothing that would hijack a JVM-wide provider. Writes each jar's size
 * and class count to {@code target/shaded-jars.txt} (the figures docs/packaging.md quotes).
 */
class ShadedJarContentsTest {
  /** Where a class in a shaded jar may live. Everything else is a clash waiting to happen. */
  private static final List<String> ALLOWED =
      List.of(
          "io/isledb/",
          "org/apache/hadoop/",
          "software/amazon/awssdk/",
          "software/amazon/eventstream/",
          "software/amazon/s3/analyticsaccelerator/",
          "software/amazon/s3/shaded/",
          "com/github/luben/zstd/");

  /** Hard upper bound: the full AWS SDK bundle alone would be 655 MiB. */
  private static final long MAX_BYTES = 48L << 20;

  @Test
  void connectorJar() throws IOException {
    Path jar = DistJvm.connectorJar();
    checkCommon(jar, "io/isledb/flink/connector/");
    try (JarFile j = new JarFile(jar.toFile())) {
      assertThat(service(j, "org.apache.flink.table.factories.Factory"))
          .contains("io.isledb.flink.connector.table.IsleDynamicTableFactory");
      assertThat(j.getEntry("io/isledb/flink/state/IsleStateBackendFactory.class")).isNull();
    }
  }

  @Test
  void stateBackendJar() throws IOException {
    Path jar = DistJvm.stateBackendJar();
    checkCommon(jar, "io/isledb/flink/state/");
    try (JarFile j = new JarFile(jar.toFile())) {
      assertThat(j.getEntry("io/isledb/flink/state/IsleStateBackendFactory.class")).isNotNull();
      assertThat(j.getEntry("io/isledb/flink/connector/table/IsleDynamicTableFactory.class"))
          .isNull();
    }
  }

  private static void checkCommon(Path jar, String ownPackage) throws IOException {
    List<String> outside = new ArrayList<>();
    int classes = 0;
    int own = 0;
    try (JarFile j = new JarFile(jar.toFile())) {
      for (JarEntry e : j.stream().toList()) {
        String name = e.getName();
        if (!name.endsWith(".class")) {
          continue;
        }
        classes++;
        if (name.startsWith(ownPackage)) {
          own++;
        }
        if (ALLOWED.stream().noneMatch(name::startsWith)) {
          outside.add(name);
        }
      }
      assertThat(outside).as("classes outside the allowed packages").isEmpty();
      assertThat(own).as("classes of %s", ownPackage).isPositive();
      // isle-core and the relocated libraries it needs.
      assertThat(j.getEntry("io/isledb/IsleDB.class")).isNotNull();
      assertThat(j.getEntry("io/isledb/shaded/com/github/benmanes/caffeine/cache/Caffeine.class"))
          .isNotNull();
      assertThat(j.getEntry("io/isledb/shaded/com/fasterxml/jackson/databind/ObjectMapper.class"))
          .isNotNull();
      // Flink provides lz4-java; nothing may carry a second copy.
      assertThat(j.stream().anyMatch(e -> e.getName().contains("net/jpountz"))).isFalse();
      // Hadoop's file systems: the ServiceLoader ones and S3A (found through core-default.xml).
      assertThat(service(j, "org.apache.hadoop.fs.FileSystem"))
          .contains("org.apache.hadoop.fs.LocalFileSystem");
      assertThat(j.getEntry("org/apache/hadoop/fs/s3a/S3AFileSystem.class")).isNotNull();
      assertThat(j.getEntry("core-default.xml")).isNotNull();
      // No JVM-wide provider hijacked by a bundled library.
      assertThat(j.getEntry("META-INF/services/java.net.spi.InetAddressResolverProvider")).isNull();
      assertThat(j.getEntry("META-INF/services/javax.xml.stream.XMLInputFactory")).isNull();
      assertThat(j.stream().anyMatch(e -> e.getName().startsWith("META-INF/versions/"))).isFalse();
    }
    long size = Files.size(jar);
    String line =
        String.format("%s: %.1f MiB, %d classes%n", jar.getFileName(), size / 1048576.0, classes);
    System.out.print(line);
    Files.writeString(
        Path.of("target", "shaded-jars.txt"),
        line,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    assertThat(size).as("size of %s", jar).isLessThan(MAX_BYTES);
  }

  private static String service(JarFile j, String name) throws IOException {
    JarEntry e = j.getJarEntry("META-INF/services/" + name);
    assertThat(e).as("META-INF/services/%s", name).isNotNull();
    try (InputStream in = j.getInputStream(e)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
