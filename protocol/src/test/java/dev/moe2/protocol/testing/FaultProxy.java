package dev.moe2.protocol.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on 127.0.0.1 between an MQTT client and its broker, through which network faults are
 * injected from outside the client: {@link #sever()} drops every connection without an MQTT
 * DISCONNECT (the broker publishes the client's will, as after a crash or a pulled cable), {@link
 * #block(Duration)} also refuses new connections for a while (a partition), {@link #blockForever()}
 * until {@link #unblock()} (a dead host). The client code under test has no fault hooks.
 */
public final class FaultProxy implements AutoCloseable {

  private final String upstreamHost;
  private final int upstreamPort;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile long blockedUntilNanos;
  private volatile boolean blockedForAWhile;
  private volatile boolean blockedForever;
  private volatile boolean closed;

  private FaultProxy(String host, int port) throws IOException {
    this.upstreamHost = host;
    this.upstreamPort = port;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread t = new Thread(this::acceptLoop, "fault-proxy-" + server.getLocalPort());
    t.setDaemon(true);
    t.start();
  }

  /** A relay to the broker at {@code brokerUri} ({@code tcp://host:port}). */
  public static FaultProxy to(String brokerUri) {
    URI u = URI.create(brokerUri);
    if (!"tcp".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 0) {
      throw new IllegalArgumentException(
          "brokerUri has value '" + brokerUri + "': it must be tcp://host:port");
    }
    try {
      return new FaultProxy(u.getHost(), u.getPort());
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on 127.0.0.1: " + e.getMessage(), e);
    }
  }

  /** Where clients connect instead of the broker. */
  public String uri() {
    return "tcp://127.0.0.1:" + server.getLocalPort();
  }

  /** Drops every relayed connection now, without a word to either side. */
  public void sever() {
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }

  /** Severs, and refuses new connections for {@code duration}. */
  public void block(Duration duration) {
    blockedUntilNanos = System.nanoTime() + duration.toNanos();
    blockedForAWhile = true;
    sever();
  }

  /** Severs, and refuses new connections until {@link #unblock()}. */
  public void blockForever() {
    blockedForever = true;
    sever();
  }

  /** Accepts connections again. */
  public void unblock() {
    blockedForever = false;
    blockedForAWhile = false;
  }

  private boolean blocked() {
    return blockedForever || blockedForAWhile && System.nanoTime() - blockedUntilNanos < 0;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (blocked()) {
        closeQuietly(client);
        continue;
      }
      Socket upstream;
      try {
        upstream = new Socket(upstreamHost, upstreamPort);
        upstream.setTcpNoDelay(true);
        client.setTcpNoDelay(true);
      } catch (IOException e) {
        closeQuietly(client);
        continue;
      }
      open.add(client);
      open.add(upstream);
      pump(client, upstream);
      pump(upstream, client);
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                  out.write(buf, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // one side went away: the other goes too
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
              }
            },
            "fault-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already gone
    }
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    sever();
  }

  private static void closeQuietly(ServerSocket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already gone
    }
  }
}
