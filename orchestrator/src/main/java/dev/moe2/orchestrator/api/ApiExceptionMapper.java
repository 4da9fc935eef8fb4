package dev.moe2.orchestrator.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;

/** Every error leaves in one shape: {@code {"error": {"code", "message", "type"}}}. */
public final class ApiExceptionMapper {

  private ApiExceptionMapper() {}

  static Response body(int status, String code, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(shape(status, code, message))
        .build();
  }

  /** The one error body, as a value to serialise. */
  public static Map<String, Object> shape(int status, String code, String message) {
    return Map.of("error", Map.of("code", code, "message", message, "type", type(status)));
  }

  /** The OpenAI error type for a status (what OpenAI clients switch on). */
  static String type(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 429 -> "rate_limit_error";
      default -> status >= 500 ? "server_error" : "invalid_request_error";
    };
  }

  /** Our own errors. */
  @Provider
  public static final class Api implements ExceptionMapper<ApiException> {
    @Override
    public Response toResponse(ApiException e) {
      return body(e.status(), e.code(), e.getMessage());
    }
  }

  /**
   * Anything else: a 500 in the one shape, with an id to find the stack trace in the log — never
   * the trace itself in the body.
   */
  @Provider
  public static final class Unexpected implements ExceptionMapper<RuntimeException> {
    private static final org.jboss.logging.Logger LOG =
        org.jboss.logging.Logger.getLogger(ApiExceptionMapper.class);
    private static final java.util.concurrent.atomic.AtomicLong IDS =
        new java.util.concurrent.atomic.AtomicLong();

    @Override
    public Response toResponse(RuntimeException e) {
      if (e instanceof ApiException api) {
        return body(api.status(), api.code(), api.getMessage());
      }
      if (e instanceof WebApplicationException web) {
        return new Web().toResponse(web);
      }
      String id =
          "err-" + Long.toString(System.currentTimeMillis(), 36) + "-" + IDS.incrementAndGet();
      LOG.errorf(e, "unexpected error %s", id);
      return body(
          500,
          "internal",
          "an unexpected error occurred ("
              + id
              + " in the orchestrator's log); it has been logged");
    }
  }

  /** Framework errors (unknown path, wrong method, unsupported media type). */
  @Provider
  public static final class Web implements ExceptionMapper<WebApplicationException> {
    @Override
    public Response toResponse(WebApplicationException e) {
      int status = e.getResponse().getStatus();
      String code =
          switch (status) {
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 413 -> "body-too-large";
            case 415 -> "unsupported-media-type";
            default -> "http-" + status;
          };
      return body(status, code, e.getMessage());
    }
  }
}
