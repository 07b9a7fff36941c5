package io.isledb.dist.jobs;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Checks, inside a child JVM, that its classpath is what a Flink user has: the isle classes come
 * from the one shaded jar, and no unrelocated copy of a library the jar relocates is anywhere.
 * Prints {@code @@JAR <file name>} or throws.
 */
final class ShadedJars {
  private ShadedJars() {}

  static void check(String isleClass, String expectedJar) throws Exception {
    Class<?> c = Class.forName(isleClass);
    CodeSource source = c.getProtectionDomain().getCodeSource();
    Path from;
    try {
      from = Path.of(source.getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    if (!from.getFileName().toString().equals(expectedJar)) {
      throw new IllegalStateException(isleClass + " loaded from " + from + ", not " + expectedJar);
    }
    for (String absent :
        new String[] {
          "io.isledb.testing.S3ServerExtension",
          "com.google.common.collect.ImmutableList",
          "com.fasterxml.jackson.databind.ObjectMapper",
          "com.github.benmanes.caffeine.cache.Caffeine",
          "org.apache.commons.configuration2.Configuration",
        }) {
      try {
        Class.forName(absent);
        throw new IllegalStateException(absent + " is on the child's classpath");
      } catch (ClassNotFoundException expected) {
        // As it must be: only the shaded jar's relocated copy exists.
      }
    }
    System.out.println("@@JAR " + from.getFileName());
  }

  /** {@code key=value} arguments from index {@code from} on. */
  static java.util.Map<String, String> pairs(String[] args, int from) {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    for (int i = from; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      out.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    return out;
  }
}
