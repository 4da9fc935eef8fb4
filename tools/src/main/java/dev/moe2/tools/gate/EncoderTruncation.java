package dev.moe2.tools.gate;

import dev.moe2.gating.encoder.MiniLmEncoder;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --encoder-max-tokens}, shared by the commands that train a gate: the truncation the
 * orchestrator's {@code moe2.gate.encoder-max-tokens} defaults to, checked when parsed.
 */
public final class EncoderTruncation {

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  private int maxTokens = MiniLmEncoder.SERVICE_MAX_TOKENS;

  @Option(
      names = "--encoder-max-tokens",
      defaultValue = "" + MiniLmEncoder.SERVICE_MAX_TOKENS,
      description =
          "Truncate prompts to this many tokens before embedding (8.."
              + MiniLmEncoder.MAX_TOKENS
              + "; the orchestrator's moe2.gate.encoder-max-tokens, whose default this is: a gate"
              + " loads only with the truncation it was trained at).")
  void maxTokens(int value) {
    if (value < 8 || value > MiniLmEncoder.MAX_TOKENS) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--encoder-max-tokens has value "
              + value
              + ": it must be in [8, "
              + MiniLmEncoder.MAX_TOKENS
              + "]");
    }
    this.maxTokens = value;
  }

  /** An encoder with {@code threads} intra-op threads at this truncation. */
  public MiniLmEncoder open(int threads) {
    return new MiniLmEncoder(threads, 1, maxTokens);
  }
}
