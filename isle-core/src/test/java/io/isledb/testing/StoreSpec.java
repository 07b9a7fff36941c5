package io.isledb.testing;

import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where a database lives (base URI, prefix, Hadoop settings), in a form that fits one command-line
 * argument, so a parent test can hand its store to child JVMs.
 */
public record StoreSpec(String uri, String prefix, Map<String, String> conf) {
  public StoreSpec {
    conf = Map.copyOf(conf);
  }

  /** A spec for a {@code file://} database. */
  public static StoreSpec local(java.nio.file.Path dir, String prefix) {
    return new StoreSpec(dir.toUri().toString(), prefix, Map.of());
  }

  /** A spec for a fresh prefix on the shared S3 server. */
  public static StoreSpec s3(S3ServerExtension s3, String hint) {
    return new StoreSpec(s3.uri(), s3.newPrefix(hint), s3.hadoopConf());
  }

  /** Opens the store (the caller closes it). */
  public ObjectStore open() {
    return IsleDB.openStore(uri, prefix, conf);
  }

  /** The spec as one URL-safe token. */
  public String encode() {
    Properties p = new Properties();
    p.setProperty("@uri", uri);
    p.setProperty("@prefix", prefix);
    p.putAll(conf);
    StringWriter w = new StringWriter();
    try {
      p.store(w, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(w.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Reads {@link #encode()}'s form. */
  public static StoreSpec decode(String token) {
    Properties p = new Properties();
    try {
      p.load(
          new StringReader(
              new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> conf = new TreeMap<>();
    for (String k : p.stringPropertyNames()) {
      if (!k.startsWith("@")) {
        conf.put(k, p.getProperty(k));
      }
    }
    return new StoreSpec(p.getProperty("@uri"), p.getProperty("@prefix"), conf);
  }
}
