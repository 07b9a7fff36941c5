package io.isledb.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy on 127.0.0.1 that removes one request header before the request reaches the server:
 * put in front of an S3 server and removing {@code If-None-Match}, it makes a server that ignores
 * conditional creates, as some S3-compatible stores do. Request bodies (sized by {@code
 * Content-Length}) and responses pass through untouched.
 *
 * <p>Removing a signed header breaks an AWS signature: put it in front of a server that does not
 * check signatures ({@link S3ProxyServer#startWithoutAuthorization()}).
 */
public final class HeaderStrippingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final String header;
  private final ExecutorService pool = Executors.newCachedThreadPool(daemonThreads());
  private final AtomicInteger stripped = new AtomicInteger();
  private volatile boolean closed;

  /** Proxies a free port of 127.0.0.1 to {@code 127.0.0.1:targetPort}, removing {@code header}. */
  public HeaderStrippingProxy(int targetPort, String header) throws IOException {
    this.targetPort = targetPort;
    this.header = header.toLowerCase(Locale.ROOT);
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    pool.execute(this::acceptLoop);
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    return r -> {
      Thread t = new Thread(r, "header-stripping-proxy");
      t.setDaemon(true);
      return t;
    };
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  /** How many requests had the header removed so far. */
  public int stripped() {
    return stripped.get();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
        pool.execute(() -> requests(client, server));
        pool.execute(() -> pipe(server, client));
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  /** Copies requests one by one: the head line by line (minus the header), then the body. */
  private void requests(Socket client, Socket server) {
    try (InputStream in = new java.io.BufferedInputStream(client.getInputStream());
        OutputStream out = server.getOutputStream()) {
      while (true) {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        long contentLength = 0;
        boolean chunked = false;
        boolean removed = false;
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
          String lower = line.toLowerCase(Locale.ROOT);
          if (lower.startsWith(header + ":")) {
            removed = true;
            continue;
          }
          if (lower.startsWith("content-length:")) {
            contentLength = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
          }
          if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
            chunked = true;
          }
          head.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        if (line == null) {
          return;
        }
        if (removed) {
          stripped.incrementAndGet();
        }
        head.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.write(head.toByteArray());
        out.flush();
        if (chunked) {
          // Not needed by the tests: pass the rest of the connection through as it is.
          in.transferTo(out);
          return;
        }
        byte[] buf = new byte[64 * 1024];
        for (long left = contentLength; left > 0; ) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          if (n < 0) {
            return;
          }
          out.write(buf, 0, n);
          left -= n;
        }
        out.flush();
      }
    } catch (IOException e) {
      // connection closed by either side
    } finally {
      closeQuietly(client, server);
    }
  }

  /** One CRLF-terminated line without its terminator, or null at the end of the stream. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        byte[] b = line.toByteArray();
        int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
        return new String(b, 0, len, StandardCharsets.ISO_8859_1);
      }
      line.write(c);
    }
    return null;
  }

  private void pipe(Socket from, Socket to) {
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // connection closed by either side
    } finally {
      closeQuietly(from, to);
    }
  }

  private static void closeQuietly(Socket a, Socket b) {
    try {
      a.close();
    } catch (IOException ignored) {
      // already closed
    }
    try {
      b.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    pool.shutdownNow();
  }
}
