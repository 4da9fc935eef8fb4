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
    String type = status >= 500 ? "server_error" : "invalid_request_error";
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(Map.of("error", Map.of("code", code, "message", message, "type", type)))
        .build();
  }

  /** Our own errors. */
  @Provider
  public static final class Api implements ExceptionMapper<ApiException> {
    @Override
    public Response toResponse(ApiException e) {
      return body(e.status(), e.code(), e.getMessage());
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
