package dev.moe2.security;

import java.util.Locale;

/** What an API key may do. */
public enum ApiRole {
  /** Chat completions and the model list: what applications need. */
  CLIENT,
  /** Dashboard reads: fleet, plans, decisions, Pareto front. */
  VIEWER,
  /** Everything a viewer may, plus budgets, re-plans and API keys. */
  OPERATOR;

  /** Whether a key of this role may act as {@code needed}. */
  public boolean grants(ApiRole needed) {
    return this == needed || (this == OPERATOR && needed == VIEWER);
  }

  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @throws IllegalArgumentException naming the value and the roles
   */
  public static ApiRole of(String word) {
    for (ApiRole r : values()) {
      if (r.word().equals(word)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "field 'role' has value '" + word + "': it must be client, viewer or operator");
  }
}
