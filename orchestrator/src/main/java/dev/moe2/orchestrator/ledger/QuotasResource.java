package dev.moe2.orchestrator.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moe2.orchestrator.api.ApiException;
import dev.moe2.orchestrator.security.SiteSecurity;
import io.smallrye.common.annotation.Blocking;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.util.Map;

/**
 * Quotas per API key: {@code GET /api/quotas} (with today's joules), {@code PUT /api/quotas/{key
 * id}} with {@code {"joulesPerDay": 500, "requestsPerMinute": 60}} (operator; null or absent: no
 * limit; both absent: the quota is removed).
 */
@Path("/api/quotas")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class QuotasResource {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Quotas quotas;

  QuotasResource(Quotas quotas) {
    this.quotas = quotas;
  }

  @GET
  public Map<String, Object> list() {
    return quotas.view();
  }

  @PUT
  @Path("/{key}")
  @Consumes(MediaType.APPLICATION_JSON)
  public Quotas.Quota set(@PathParam("key") String key, byte[] body, RoutingContext rc) {
    if (key == null || !key.matches("[a-z0-9]{10}|-")) {
      throw new ApiException(
          400,
          "invalid-field",
          "the key id must be the 10 characters `scripts/credentials list` shows");
    }
    JsonNode in;
    try {
      in = JSON.readTree(body);
    } catch (IOException e) {
      throw new ApiException(400, "invalid-json", "the body is not JSON: " + e.getMessage());
    }
    if (in == null || !in.isObject()) {
      throw new ApiException(400, "invalid-json", "the body must be a JSON object");
    }
    try {
      return quotas.set(
          new Quotas.Quota(key, number(in, "joulesPerDay"), integer(in, "requestsPerMinute")),
          SiteSecurity.keyIdOf(rc));
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, "invalid-field", e.getMessage());
    }
  }

  private static Double number(JsonNode in, String field) {
    JsonNode v = in.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw new ApiException(400, "invalid-field", "field '" + field + "' must be a number");
    }
    return v.asDouble();
  }

  private static Integer integer(JsonNode in, String field) {
    JsonNode v = in.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new ApiException(400, "invalid-field", "field '" + field + "' must be an integer");
    }
    return v.asInt();
  }
}
