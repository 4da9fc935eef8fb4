package dev.moe2.orchestrator.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moe2.orchestrator.api.ApiException;
import dev.moe2.security.ApiKeys;
import dev.moe2.security.ApiRole;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * API keys for operators ({@link ApiAccess} lets only the operator role here): list (ids, roles,
 * labels — never a key), create (the key is in this one answer only), revoke. The same store as
 * {@code scripts/credentials}.
 */
@Path("/api/keys")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class KeysResource {

  private static final Logger LOG = Logger.getLogger(KeysResource.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SiteSecurity security;

  KeysResource(SiteSecurity security) {
    this.security = security;
  }

  @GET
  public List<Map<String, Object>> list() {
    enabled();
    return security.keys().list().stream().map(KeysResource::view).toList();
  }

  /** Body {@code {"role": "client|viewer|operator", "label": "..."}}. */
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Response create(byte[] body) {
    enabled();
    JsonNode in;
    try {
      in = JSON.readTree(body);
    } catch (IOException e) {
      throw new ApiException(400, "invalid-json", "the body is not JSON: " + e.getMessage());
    }
    if (in == null || !in.isObject()) {
      throw new ApiException(400, "invalid-json", "the body must be a JSON object");
    }
    JsonNode role = in.get("role");
    if (role == null || !role.isTextual()) {
      throw new ApiException(
          400, "invalid-field", "field 'role' is required: client, viewer or operator");
    }
    JsonNode label = in.get("label");
    if (label != null && !label.isTextual()) {
      throw new ApiException(400, "invalid-field", "field 'label' must be a string");
    }
    ApiRole r;
    try {
      r = ApiRole.of(role.asText());
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, "invalid-field", e.getMessage());
    }
    String l = label == null ? "" : label.asText();
    if (l.length() > 200) {
      throw new ApiException(400, "invalid-field", "field 'label' is longer than 200 characters");
    }
    ApiKeys.Created c = security.keys().create(r, l, security.random(), security.clock().instant());
    LOG.infof("created API key %s (%s, '%s')", c.entry().id(), r.word(), l);
    Map<String, Object> out = view(c.entry());
    out.put("key", c.key());
    return Response.status(201).entity(out).build();
  }

  @DELETE
  @Path("/{id}")
  public Map<String, Object> revoke(@PathParam("id") String id) {
    enabled();
    if (!security.keys().revoke(id)) {
      throw new ApiException(404, "unknown-key", "there is no API key with id '" + id + "'");
    }
    LOG.infof("revoked API key %s", id);
    return Map.of("id", id, "revoked", true);
  }

  private void enabled() {
    if (!security.enabled()) {
      throw new ApiException(
          409, "security-disabled", "API keys are not used: moe2.security.enabled=false");
    }
  }

  private static Map<String, Object> view(ApiKeys.Entry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", e.id());
    m.put("role", e.role().word());
    m.put("label", e.label());
    m.put("created", e.created());
    return m;
  }
}
