package dev.moe2.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class PasswordHashTest {

  /** Written by {@code mosquitto_passwd -b -c pw alice secret} (Mosquitto 2.0.11, Debian). */
  private static final String MOSQUITTO_PASSWD =
      "$7$101$oZKyYCnnjMhkEJIu$URaAQe+SwCHq5DpkzZCpR7MAKEXu0jcKuAFIJlSySxv+hgZ6FO8Zj3QCQTZ/l9Oz2tAO/UwMDiHjGh+UwJPxuA==";

  @Test
  void verify_hashWrittenByMosquittoPasswd_acceptsOnlyItsSecret() {
    assertThat(PasswordHash.verify("secret".toCharArray(), MOSQUITTO_PASSWD)).isTrue();
    assertThat(PasswordHash.verify("Secret".toCharArray(), MOSQUITTO_PASSWD)).isFalse();
    assertThat(PasswordHash.verify("".toCharArray(), MOSQUITTO_PASSWD)).isFalse();
  }

  @Test
  void hash_newSecret_verifiesAndUsesAFreshSaltEachTime() {
    SecureRandom random = new SecureRandom(new byte[] {1});
    String a = PasswordHash.hash("s3cret-ü".toCharArray(), random);
    String b = PasswordHash.hash("s3cret-ü".toCharArray(), random);
    assertThat(a).startsWith("$7$" + PasswordHash.ITERATIONS + "$").isNotEqualTo(b);
    assertThat(PasswordHash.verify("s3cret-ü".toCharArray(), a)).isTrue();
    assertThat(PasswordHash.verify("s3cret-u".toCharArray(), a)).isFalse();
  }

  @Test
  void verify_notAPbkdf2Hash_namesTheField() {
    for (String bad :
        new String[] {"plain", "$6$abc$def", "$7$0$AAAA$AAAA", "$7$101$$x", "$7$x$a$b"}) {
      assertThatThrownBy(() -> PasswordHash.verify("x".toCharArray(), bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("field 'hash'");
    }
  }
}
