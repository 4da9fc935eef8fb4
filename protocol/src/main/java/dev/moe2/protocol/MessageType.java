package dev.moe2.protocol;

import java.util.Arrays;

/** The {@code type} discriminator of each payload, and the record it decodes to. */
public enum MessageType {
  BIRTH("birth", Birth.class),
  STATE("state", AgentState.class),
  PROFILE("profile", ProfileReport.class),
  PLAN("plan", PlanAssignment.class),
  REQUEST("request", InferenceRequest.class),
  REPLY("reply", InferenceReply.class),
  PARTIAL("partial", PartialOutput.class),
  CANCEL("cancel", CancelRequest.class),
  ERROR("error", ErrorReport.class);

  private final String label;
  private final Class<? extends Message> recordType;

  MessageType(String label, Class<? extends Message> recordType) {
    this.label = label;
    this.recordType = recordType;
  }

  public String label() {
    return label;
  }

  public Class<? extends Message> recordType() {
    return recordType;
  }

  static MessageType of(Class<?> recordType) {
    return Arrays.stream(values())
        .filter(t -> t.recordType == recordType)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("not a contract message: " + recordType));
  }

  /** The type with this label, or {@code null}. */
  static MessageType byLabel(String label) {
    return Arrays.stream(values()).filter(t -> t.label.equals(label)).findFirst().orElse(null);
  }
}
