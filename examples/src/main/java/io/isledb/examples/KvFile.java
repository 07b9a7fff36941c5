package io.isledb.examples;

import io.isledb.Change;
import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.KV;
import io.isledb.KvIterator;
import io.isledb.ObjectStore;
import io.isledb.Reader;
import io.isledb.ReaderOptions;
import io.isledb.RequestStats;
import io.isledb.TailBatch;
import io.isledb.TailPosition;
import io.isledb.TailingReader;
import io.isledb.TailingReaderOptions;
import io.isledb.Writer;
import io.isledb.WriterOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code kvfile} demo: a writer, a reader and a tailing reader on a database stored in a local
 * directory ({@code ./isle-data} by default, or the first argument). It prints what each did.
 */
public final class KvFile {
  private KvFile() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "isle-data").toAbsolutePath();
    Files.createDirectories(dir);
    String uri = dir.toUri().toString();
    System.out.println("IsleDB kvfile demo: database 'kvfile' under " + uri);
    try (ObjectStore store = IsleDB.openStore(uri, "kvfile");
        IsleDB db = IsleDB.open(store, DBOptions.defaults());
        TailingReader tail = db.openTailingReader(TailingReaderOptions.defaults())) {
      TailPosition from = tail.latest();
      System.out.println("tailing from position " + from);

      try (Writer writer = db.openWriter(WriterOptions.defaults())) {
        writer.put(bytes("hello"), bytes("world"));
        writer.flush();
        System.out.println(
            "writer: put hello=world, flushed as version " + writer.lastCommittedVersion());
        for (int i = 0; i < 10; i++) {
          writer.put(bytes("key-" + i), bytes("value-" + i));
        }
        writer.delete(bytes("key-3"));
        writer.flush();
        System.out.println(
            "writer: put key-0..key-9, deleted key-3, flushed as version "
                + writer.lastCommittedVersion());
      }

      try (Reader reader =
          db.openReader(ReaderOptions.defaults().withCacheDir(dir.resolve("cache")))) {
        System.out.println("reader: at version " + reader.version());
        System.out.println(
            "reader: get hello -> "
                + reader.get(bytes("hello")).map(KvFile::string).orElse("(absent)"));
        System.out.println(
            "reader: get key-3 -> "
                + reader.get(bytes("key-3")).map(KvFile::string).orElse("(absent)"));
        StringBuilder keys = new StringBuilder();
        try (KvIterator it = reader.scan(bytes("key-"), bytes("key-~"))) {
          while (it.hasNext()) {
            KV kv = it.next();
            keys.append(' ').append(string(kv.key())).append('=').append(string(kv.value()));
          }
        }
        System.out.println("reader: scan [key-, key-~) ->" + keys);
      }

      TailBatch batch = tail.poll(from, 100);
      for (Change c : batch.changes()) {
        System.out.println(
            "tail: "
                + c.type()
                + " "
                + string(c.key())
                + (c.type() == Change.Type.PUT ? "=" + string(c.value()) : "")
                + " (version "
                + c.version()
                + ", seq "
                + c.seq()
                + ")");
      }
      System.out.println(
          "tail: " + batch.changes().size() + " changes; resume from " + batch.next());

      RequestStats s = store.stats();
      System.out.println(
          "storage requests: "
              + s.counts()
              + ", "
              + s.bytesWritten()
              + " bytes written, "
              + s.bytesRead()
              + " bytes read");
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String string(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
