package dev.moe2.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.util.Properties;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

class NoDelaySslSocketFactoryTest {

  @Test
  void createSocket_defaultTlsSettings_isATlsSocketWithNagleOff() throws Exception {
    NoDelaySslSocketFactory f = NoDelaySslSocketFactory.from(new Properties());

    try (Socket s = f.createSocket()) {
      assertThat(s).isInstanceOf(SSLSocket.class);
      assertThat(s.getTcpNoDelay()).isTrue();
    }
  }

  @Test
  void createSocket_cipherSuitesInTheSettings_areTheOnesEnabled() throws Exception {
    Properties p = new Properties();
    p.setProperty("com.ibm.ssl.enabledCipherSuites", "TLS_AES_128_GCM_SHA256");

    try (SSLSocket s = (SSLSocket) NoDelaySslSocketFactory.from(p).createSocket()) {
      assertThat(s.getEnabledCipherSuites()).containsExactly("TLS_AES_128_GCM_SHA256");
    }
  }

  @Test
  void from_trustStoreThatIsNotThere_isRefusedAtOnceNamingTheSetting() {
    Properties p = new Properties();
    p.setProperty("com.ibm.ssl.trustStore", "/nonexistent/truststore.p12");
    p.setProperty("com.ibm.ssl.trustStoreType", "PKCS12");
    p.setProperty("com.ibm.ssl.trustStorePassword", "x");

    assertThatThrownBy(() -> NoDelaySslSocketFactory.from(p))
        .isInstanceOf(LinkException.class)
        .hasMessageContaining(
            "cannot set up TLS from com.ibm.ssl.trustStore=/nonexistent/truststore.p12")
        .hasMessageNotContaining("trustStorePassword");
  }
}
