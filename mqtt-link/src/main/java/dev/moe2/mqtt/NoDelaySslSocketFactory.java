package dev.moe2.mqtt;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Objects;
import java.util.Properties;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.mqttv5.client.security.SSLSocketFactoryFactory;
import org.eclipse.paho.mqttv5.common.MqttSecurityException;

/**
 * TLS sockets with {@code TCP_NODELAY}, as {@link dev.moe2.protocol.NoDelaySocketFactory} gives
 * plain ones. Paho builds its TLS sockets from the {@code com.ibm.ssl.*} properties with Nagle's
 * algorithm on; a small reply then waits for the broker's delayed ACK, and a request's round trip
 * over TLS took 72 ms p50 (88 ms p90) on loopback against 0.5–0.7 ms over plain TCP (Mosquitto,
 * 800-byte QoS 1 messages). The sockets come from the factory Paho itself would build from the same
 * properties (trust store, key store, protocol), with the cipher suites they enable.
 */
final class NoDelaySslSocketFactory extends SSLSocketFactory {

  private final SSLSocketFactory tls;
  private final String[] enabledCiphers;

  NoDelaySslSocketFactory(SSLSocketFactory tls, String[] enabledCiphers) {
    this.tls = Objects.requireNonNull(tls, "tls");
    this.enabledCiphers = enabledCiphers == null ? null : enabledCiphers.clone();
  }

  /**
   * The factory for Paho's TLS {@code properties}.
   *
   * @throws LinkException when they do not make a TLS context (e.g. an unreadable trust store)
   */
  static NoDelaySslSocketFactory from(Properties properties) {
    SSLSocketFactoryFactory paho = new SSLSocketFactoryFactory();
    try {
      paho.initialize(properties, null);
      return new NoDelaySslSocketFactory(
          paho.createSocketFactory(null), paho.getEnabledCipherSuites(null));
    } catch (MqttSecurityException | IllegalArgumentException e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      throw new LinkException(
          "cannot set up TLS from "
              + stores(properties)
              + ": "
              + root.getClass().getSimpleName()
              + ": "
              + root.getMessage(),
          e);
    }
  }

  /** The key and trust store settings, never their passwords. */
  private static String stores(Properties p) {
    java.util.List<String> named = new java.util.ArrayList<>();
    for (String key :
        new String[] {
          "com.ibm.ssl.trustStore", "com.ibm.ssl.trustStoreType",
          "com.ibm.ssl.keyStore", "com.ibm.ssl.keyStoreType"
        }) {
      if (p.getProperty(key) != null) {
        named.add(key + "=" + p.getProperty(key));
      }
    }
    return named.isEmpty() ? "the JVM's defaults" : String.join(", ", named);
  }

  private Socket noDelay(Socket s) throws IOException {
    s.setTcpNoDelay(true);
    if (enabledCiphers != null && s instanceof SSLSocket ssl) {
      ssl.setEnabledCipherSuites(enabledCiphers);
    }
    return s;
  }

  @Override
  public Socket createSocket() throws IOException {
    return noDelay(tls.createSocket());
  }

  @Override
  public Socket createSocket(Socket s, String host, int port, boolean autoClose)
      throws IOException {
    return noDelay(tls.createSocket(s, host, port, autoClose));
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return noDelay(tls.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return noDelay(tls.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return noDelay(tls.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return noDelay(tls.createSocket(address, port, localAddress, localPort));
  }

  @Override
  public String[] getDefaultCipherSuites() {
    return tls.getDefaultCipherSuites();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return tls.getSupportedCipherSuites();
  }
}
