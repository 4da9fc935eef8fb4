package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** Stable codes of the errors an agent reports; the orchestrator maps them to its API errors. */
public enum ErrorCode {
  MALFORMED_REQUEST("malformed-request"),
  UNKNOWN_EXPERT("unknown-expert"),
  DEADLINE_EXCEEDED("deadline-exceeded"),
  OVERLOADED("overloaded"),
  BACKEND_FAILURE("backend-failure"),
  /**
   * Even the prefill of the prompt would spend more than the request's {@code energyCapJ}, or
   * finish after its deadline: nothing was run.
   */
  OVER_BUDGET("over-budget"),
  PLAN_REJECTED("plan-rejected"),
  /**
   * The orchestrator withdrew the request ({@link CancelRequest}: its client went away): generation
   * stopped before its end; the message says after how many tokens.
   */
  CANCELLED("cancelled"),
  INTERNAL("internal");

  private final String label;

  ErrorCode(String label) {
    this.label = label;
  }

  /** The value as it appears in a payload. */
  @JsonValue
  public String label() {
    return label;
  }
}
