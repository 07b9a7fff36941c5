package io.isledb.testing;

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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of an HTTP server that can lose one response: once {@link
 * #dropNextResponseTo(String)} is armed, the next request whose head contains the given text is
 * forwarded to the server, the server's answer is swallowed and the client's connection is closed.
 * The request was served; the client only sees a broken connection and retries. This is the "write
 * landed, response lost" case at the HTTP level.
 *
 * <p>It relies on the client not using {@code Expect: 100-continue} (for S3A set {@code
 * fs.s3a.connection.expect.continue=false}), so the first bytes the server sends back belong to the
 * final response.
 */
public final class ResponseDroppingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final ExecutorService pool = Executors.newCachedThreadPool(daemonThreads());
  private final AtomicBoolean armed = new AtomicBoolean();
  private final AtomicInteger dropped = new AtomicInteger();
  private volatile String trigger = "";
  private volatile boolean closed;

  /** Starts proxying a free port of 127.0.0.1 to {@code 127.0.0.1:targetPort}. */
  public ResponseDroppingProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    pool.execute(this::acceptLoop);
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    return r -> {
      Thread t = new Thread(r, "response-dropping-proxy");
      t.setDaemon(true);
      return t;
    };
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  /** Loses the response to the next request whose head contains {@code text} (any case). */
  public void dropNextResponseTo(String text) {
    trigger = text.toLowerCase(Locale.ROOT);
    armed.set(true);
  }

  /** Responses lost so far. */
  public int dropped() {
    return dropped.get();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
        Connection c = new Connection(client, server);
        pool.execute(c::clientToServer);
        pool.execute(c::serverToClient);
      } catch (IOException e) {
        if (!closed) {
          continue; // one failed connection does not stop the proxy
        }
        return;
      }
    }
  }

  private final class Connection {
    private final Socket client;
    private final Socket server;
    private volatile boolean dropThisResponse;

    Connection(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void clientToServer() {
      byte[] buf = new byte[64 * 1024];
      try (InputStream in = client.getInputStream();
          OutputStream out = server.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (armed.get()) {
            String head =
                new String(buf, 0, n, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            if (head.contains(trigger) && armed.compareAndSet(true, false)) {
              dropThisResponse = true;
            }
          }
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // connection closed by either side
      } finally {
        closeQuietly();
      }
    }

    void serverToClient() {
      byte[] buf = new byte[64 * 1024];
      java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();
      try (InputStream in = server.getInputStream();
          OutputStream out = client.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (!dropThisResponse) {
            out.write(buf, 0, n);
            out.flush();
            continue;
          }
          // An interim "100 Continue" only invites the body: pass it on. The final status line
          // means the server has served the request: lose that answer.
          pending.write(buf, 0, n);
          String text = pending.toString(StandardCharsets.ISO_8859_1);
          while (text.startsWith("HTTP/1.1 100") && text.contains("\r\n\r\n")) {
            int end = text.indexOf("\r\n\r\n") + 4;
            out.write(text.substring(0, end).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            text = text.substring(end);
            pending.reset();
            pending.write(text.getBytes(StandardCharsets.ISO_8859_1));
          }
          if (text.startsWith("HTTP/") && !text.startsWith("HTTP/1.1 100")) {
            dropped.incrementAndGet();
            return;
          }
        }
      } catch (IOException e) {
        // connection closed by either side
      } finally {
        closeQuietly();
      }
    }

    private void closeQuietly() {
      try {
        client.close();
      } catch (IOException ignored) {
        // already closed
      }
      try {
        server.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    pool.shutdownNow();
  }
}
