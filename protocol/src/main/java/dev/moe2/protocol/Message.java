package dev.moe2.protocol;

/**
 * A payload of the MQTT contract ({@code docs/mqtt-contract.md}). Every message names the agent it
 * concerns; the codec checks that it matches the agent named in the topic.
 */
public sealed interface Message
    permits Birth,
        AgentState,
        ProfileReport,
        PlanAssignment,
        InferenceRequest,
        InferenceReply,
        PartialOutput,
        CancelRequest,
        ErrorReport {

  /** The agent this message is from or for. */
  AgentId agentId();

  /** The {@code type} field written beside {@code schemaVersion} in every payload. */
  default MessageType type() {
    return MessageType.of(getClass());
  }
}
