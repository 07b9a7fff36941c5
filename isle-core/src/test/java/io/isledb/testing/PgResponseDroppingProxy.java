package io.isledb.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of a PostgreSQL server that can lose the response to one
 * statement: once {@link #dropNextResponseTo} is armed, the next client message containing the
 * given text goes to the server, the server's replies up to its ReadyForQuery (sent after an
 * autocommit statement committed) are swallowed, and both connections are closed. The statement
 * took effect; the client only sees a broken connection. This is the "insert committed, response
 * lost" case at the wire level.
 *
 * <p>Clients must connect with {@link #urlParameters()}: no SSL or GSS negotiation (whose one-byte
 * answers are not framed like other server messages) and no server-side prepared statements (whose
 * later executions no longer carry the SQL text).
 */
public final class PgResponseDroppingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final ExecutorService pool =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "pg-response-dropping-proxy");
            t.setDaemon(true);
            return t;
          });
  private final AtomicBoolean armed = new AtomicBoolean();
  private final AtomicInteger dropped = new AtomicInteger();
  private volatile String trigger = "";

  /** Proxies a free port of 127.0.0.1 to {@code 127.0.0.1:targetPort}. */
  public PgResponseDroppingProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    pool.execute(this::acceptLoop);
  }

  /** The URL parameters a client must use. */
  public static String urlParameters() {
    return "sslmode=disable&gssEncMode=disable&prepareThreshold=0";
  }

  /** {@code jdbc:postgresql://127.0.0.1:<proxy port>/<database>?<urlParameters>}. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:"
        + listener.getLocalPort()
        + "/"
        + database
        + "?"
        + urlParameters();
  }

  /** Loses the replies to the next client message that contains {@code text}. */
  public void dropNextResponseTo(String text) {
    trigger = text;
    armed.set(true);
  }

  /** How many responses were lost so far. */
  public int dropped() {
    return dropped.get();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        AtomicBoolean dropping = new AtomicBoolean();
        pool.execute(() -> clientToServer(client, server, dropping));
        pool.execute(() -> serverToClient(server, client, dropping));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void clientToServer(Socket client, Socket server, AtomicBoolean dropping) {
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = client.getInputStream()) {
      OutputStream out = server.getOutputStream();
      int n;
      while ((n = in.read(buf)) > 0) {
        String seen = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        if (!trigger.isEmpty() && seen.contains(trigger) && armed.compareAndSet(true, false)) {
          dropping.set(true);
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // a side closed
    } finally {
      closeQuietly(client, server);
    }
  }

  /** Forwards whole server messages (type byte, int32 length, body); see the class comment. */
  private void serverToClient(Socket server, Socket client, AtomicBoolean dropping) {
    try (DataInputStream in = new DataInputStream(server.getInputStream())) {
      OutputStream out = client.getOutputStream();
      while (true) {
        int type = in.read();
        if (type < 0) {
          return;
        }
        int len = in.readInt();
        byte[] body = new byte[len - 4];
        in.readFully(body);
        if (dropping.get()) {
          if (type == 'Z') { // ReadyForQuery: the statement's transaction has ended
            dropped.incrementAndGet();
            return;
          }
          continue;
        }
        out.write(type);
        out.write(
            new byte[] {(byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len});
        out.write(body);
        out.flush();
      }
    } catch (IOException e) {
      // a side closed
    } finally {
      closeQuietly(client, server);
    }
  }

  private static void closeQuietly(Socket a, Socket b) {
    try {
      a.close();
    } catch (IOException e) {
      // closing anyway
    }
    try {
      b.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    pool.shutdownNow();
  }
}
