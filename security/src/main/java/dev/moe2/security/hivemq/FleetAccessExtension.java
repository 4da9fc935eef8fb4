package dev.moe2.security.hivemq;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.auth.ModifiableDefaultPermissions;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import dev.moe2.protocol.Acl;
import dev.moe2.security.FleetCredentials;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedded broker's access control, as a HiveMQ extension: every client authenticates against
 * the site's {@link FleetCredentials} (user name = client id = an agent or orchestrator id), and
 * gets the contract's {@link Acl} rules for its identity as its default permissions, deny by
 * default — HiveMQ applies them to every publish, subscription and the will, inline, without the
 * extension-executor hop per message that publish and subscription authorizers would add (ADR
 * 0013). Identities revoked from the store are disconnected within {@link #SWEEP_S} seconds.
 */
public final class FleetAccessExtension implements ExtensionMain {

  private static final System.Logger LOG = System.getLogger(FleetAccessExtension.class.getName());

  /** How often revoked identities are looked for among the connected clients. */
  static final int SWEEP_S = 2;

  private final FleetCredentials credentials;
  private final Map<String, Acl.Identity> connected = new ConcurrentHashMap<>();
  private final AtomicLong refused = new AtomicLong();
  private volatile ScheduledFuture<?> sweep;

  public FleetAccessExtension(FleetCredentials credentials) {
    this.credentials = credentials;
  }

  /** This extension, ready for {@code EmbeddedHiveMQ.builder().withEmbeddedExtension(...)}. */
  public static EmbeddedExtension embedded(FleetCredentials credentials) {
    return EmbeddedExtension.builder()
        .withId("moe2-fleet-access")
        .withName("MoE2 fleet access (credentials + contract ACL)")
        .withVersion("1")
        .withPriority(1000)
        .withStartPriority(1000)
        .withAuthor("moe2")
        .withExtensionMain(new FleetAccessExtension(credentials))
        .build();
  }

  /** Connects refused so far. */
  public long refused() {
    return refused.get();
  }

  @Override
  public void extensionStart(ExtensionStartInput in, ExtensionStartOutput out) {
    Authenticator authenticator = new Authenticator();
    Services.securityRegistry().setAuthenticatorProvider(input -> authenticator);
    sweep =
        Services.extensionExecutorService()
            .scheduleWithFixedDelay(this::disconnectRevoked, SWEEP_S, SWEEP_S, TimeUnit.SECONDS);
    LOG.log(
        System.Logger.Level.INFO,
        "MQTT access control on: identities from {0}, ACL from the contract",
        credentials.path());
  }

  @Override
  public void extensionStop(ExtensionStopInput in, ExtensionStopOutput out) {
    ScheduledFuture<?> s = sweep;
    if (s != null) {
      s.cancel(false);
    }
  }

  private void disconnectRevoked() {
    try {
      java.util.Set<Acl.Identity> present = new java.util.HashSet<>();
      for (FleetCredentials.Entry x : credentials.list()) {
        present.add(x.identity());
      }
      for (Map.Entry<String, Acl.Identity> e : connected.entrySet()) {
        if (!present.contains(e.getValue())) {
          connected.remove(e.getKey());
          LOG.log(
              System.Logger.Level.WARNING,
              "identity {0} was revoked: disconnecting its client",
              e.getValue().name());
          Services.clientService().disconnectClient(e.getKey());
        }
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot check for revoked identities", e);
    }
  }

  private final class Authenticator implements SimpleAuthenticator {
    @Override
    public void onConnect(SimpleAuthInput in, SimpleAuthOutput out) {
      String clientId = in.getClientInformation().getClientId();
      Optional<String> user = in.getConnectPacket().getUserName();
      Optional<ByteBuffer> password = in.getConnectPacket().getPassword();
      if (user.isEmpty() || password.isEmpty()) {
        refuse(
            out, ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, clientId, "no user name or password");
        return;
      }
      if (!user.get().equals(clientId)) {
        refuse(
            out,
            ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
            clientId,
            "client id must equal the user name '" + user.get() + "'");
        return;
      }
      Optional<String> certificateName =
          in.getConnectionInformation()
              .getClientTlsInformation()
              .flatMap(t -> t.getClientCertificate())
              .map(c -> commonName(c.getSubjectX500Principal().getName()));
      if (certificateName.isPresent() && !certificateName.get().equals(user.get())) {
        refuse(
            out,
            ConnackReasonCode.NOT_AUTHORIZED,
            clientId,
            "the client certificate is for '" + certificateName.get() + "', not " + user.get());
        return;
      }
      char[] secret = chars(password.get().asReadOnlyBuffer());
      Optional<Acl.Identity> who;
      try {
        who = credentials.authenticate(user.get(), secret);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "cannot check credentials: " + e.getMessage());
        who = Optional.empty();
      } finally {
        Arrays.fill(secret, '\0');
      }
      if (who.isEmpty()) {
        refuse(
            out,
            ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
            clientId,
            "bad user name or password");
        return;
      }
      connected.put(clientId, who.get());
      ModifiableDefaultPermissions permissions = out.getDefaultPermissions();
      permissions.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
      for (Acl.Rule rule : Acl.RULES) {
        if (rule.role() == who.get().role()) {
          permissions.add(permission(rule, who.get()));
        }
      }
      out.authenticateSuccessfully();
    }

    private void refuse(SimpleAuthOutput out, ConnackReasonCode code, String clientId, String why) {
      refused.incrementAndGet();
      LOG.log(System.Logger.Level.WARNING, "refused MQTT client {0}: {1}", clientId, why);
      out.failAuthentication(code, why);
    }
  }

  private static TopicPermission permission(Acl.Rule rule, Acl.Identity who) {
    return Builders.topicPermission()
        .topicFilter(rule.pattern().replace(Acl.SELF, who.name()))
        .type(TopicPermission.PermissionType.ALLOW)
        .activity(
            rule.access() == Acl.Access.PUBLISH
                ? TopicPermission.MqttActivity.PUBLISH
                : TopicPermission.MqttActivity.SUBSCRIBE)
        .sharedSubscription(
            who.role() == Acl.Role.ORCHESTRATOR
                ? TopicPermission.SharedSubscription.ALL
                : TopicPermission.SharedSubscription.NOT_SHARED)
        .build();
  }

  /** The CN of an RFC 2253 distinguished name ("" when it has none). */
  static String commonName(String dn) {
    try {
      for (javax.naming.ldap.Rdn rdn : new javax.naming.ldap.LdapName(dn).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return String.valueOf(rdn.getValue());
        }
      }
    } catch (javax.naming.InvalidNameException e) {
      return "";
    }
    return "";
  }

  static char[] chars(ByteBuffer b) {
    CharBuffer c = StandardCharsets.UTF_8.decode(b);
    return Arrays.copyOfRange(c.array(), c.position(), c.limit());
  }
}
