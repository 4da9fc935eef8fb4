package dev.moe2.edgeagent.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The BPE tokenizer of llama2.c ({@code tokenizer.bin}): little-endian int32 max token length, then
 * per token a float32 merge score, an int32 length and the bytes. Encoding follows llama2.c's
 * {@code run.c}: BOS, a dummy-prefix space for non-empty text, one token per UTF-8 character (byte
 * fallback id = byte + 3), then repeatedly merge the adjacent pair whose merged string has the
 * highest score.
 */
public final class Llama2Tokenizer {

  public static final int BOS = 1;
  public static final int EOS = 2;

  private final String[] pieces;
  private final byte[][] bytes;
  private final float[] scores;
  private final Map<String, Integer> ids = new HashMap<>();

  private Llama2Tokenizer(byte[][] bytes, float[] scores) {
    this.bytes = bytes;
    this.scores = scores;
    this.pieces = new String[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      pieces[i] = new String(bytes[i], StandardCharsets.UTF_8);
      ids.putIfAbsent(pieces[i], i);
    }
  }

  /**
   * Reads a tokenizer file with {@code vocabSize} entries.
   *
   * @throws BackendException naming the file and what is wrong with it
   */
  public static Llama2Tokenizer load(Path file, int vocabSize) {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new BackendException("cannot read the tokenizer " + file + ": " + e.getMessage(), e);
    }
    ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    try {
      in.getInt(); // max token length
      byte[][] bytes = new byte[vocabSize][];
      float[] scores = new float[vocabSize];
      for (int i = 0; i < vocabSize; i++) {
        scores[i] = in.getFloat();
        int len = in.getInt();
        if (len < 0 || len > in.remaining()) {
          throw new BackendException(
              "tokenizer " + file + ": token " + i + " has length " + len + ", beyond the file");
        }
        bytes[i] = new byte[len];
        in.get(bytes[i]);
      }
      return new Llama2Tokenizer(bytes, scores);
    } catch (java.nio.BufferUnderflowException e) {
      throw new BackendException(
          "tokenizer " + file + " ends early: it holds fewer than " + vocabSize + " tokens", e);
    }
  }

  public int vocabSize() {
    return bytes.length;
  }

  /** Token ids of {@code text}, starting with BOS. */
  public List<Integer> encode(String text) {
    List<Integer> tokens = new ArrayList<>();
    tokens.add(BOS);
    if (text.isEmpty()) {
      return tokens;
    }
    tokens.add(ids.get(" "));
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      String ch = new String(Character.toChars(cp));
      Integer id = ids.get(ch);
      if (id != null) {
        tokens.add(id);
      } else {
        for (byte b : ch.getBytes(StandardCharsets.UTF_8)) {
          tokens.add((b & 0xff) + 3);
        }
      }
      i += Character.charCount(cp);
    }
    while (true) {
      float best = Float.NEGATIVE_INFINITY;
      int bestId = -1;
      int bestIdx = -1;
      for (int t = 0; t < tokens.size() - 1; t++) {
        Integer merged = ids.get(pieces[tokens.get(t)] + pieces[tokens.get(t + 1)]);
        if (merged != null && scores[merged] > best) {
          best = scores[merged];
          bestId = merged;
          bestIdx = t;
        }
      }
      if (bestIdx < 0) {
        return tokens;
      }
      tokens.set(bestIdx, bestId);
      tokens.remove(bestIdx + 1);
    }
  }

  /**
   * The bytes a token stands for after {@code previous}: a leading space is dropped after BOS, and
   * {@code <0xXX>} tokens are raw bytes (as in llama2.c's {@code decode}).
   */
  public byte[] decode(int previous, int token) {
    byte[] piece = bytes[token];
    String s = pieces[token];
    if (s.length() == 6 && s.startsWith("<0x") && s.endsWith(">")) {
      return new byte[] {(byte) Integer.parseInt(s.substring(3, 5), 16)};
    }
    if (previous == BOS && piece.length > 0 && piece[0] == ' ') {
      return java.util.Arrays.copyOfRange(piece, 1, piece.length);
    }
    return piece;
  }
}
