package dev.moe2.gating.encoder;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An on-disk cache of embeddings keyed by the SHA-256 of the prompt text, one append-only file per
 * encoder ({@code <folder>/<encoderId>.emb}: records of 32 hash bytes and {@code dimension}
 * floats), so evaluations embed each prompt once. A truncated last record (an interrupted run) is
 * ignored. Not thread-safe.
 */
public final class EmbeddingCache {

  private final PromptEncoder encoder;
  private final Path file;
  private final Map<String, float[]> entries = new HashMap<>();

  public EmbeddingCache(PromptEncoder encoder, Path folder) {
    this.encoder = encoder;
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the embedding cache folder " + folder, e);
    }
    this.file = folder.resolve(encoder.id() + ".emb");
    load();
  }

  public int size() {
    return entries.size();
  }

  /**
   * The embeddings of {@code texts}, in order: cached ones read, the others encoded and appended.
   *
   * @param progress called with the number of prompts done so far (for a progress bar)
   */
  public List<float[]> embed(List<String> texts, Consumer<Integer> progress) {
    List<float[]> out = new ArrayList<>(texts.size());
    try (DataOutputStream append =
        new DataOutputStream(
            new java.io.BufferedOutputStream(
                Files.newOutputStream(
                    file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)))) {
      int done = 0;
      for (String text : texts) {
        String key = hash(text);
        float[] v = entries.get(key);
        if (v == null) {
          v = encoder.encode(text);
          entries.put(key, v);
          append.write(HexFormat.of().parseHex(key));
          for (float x : v) {
            append.writeFloat(x);
          }
        }
        out.add(v);
        done++;
        if (progress != null && (done % 100 == 0 || done == texts.size())) {
          progress.accept(done);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the embedding cache " + file, e);
    }
    return out;
  }

  private void load() {
    if (!Files.exists(file)) {
      return;
    }
    int dim = encoder.dimension();
    try (DataInputStream in =
        new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
      byte[] key = new byte[32];
      while (true) {
        try {
          in.readFully(key);
          float[] v = new float[dim];
          for (int i = 0; i < dim; i++) {
            v[i] = in.readFloat();
          }
          entries.put(HexFormat.of().formatHex(key), v);
        } catch (EOFException end) {
          return; // end of file, or a record cut short by an interrupted run
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the embedding cache " + file, e);
    }
  }

  static String hash(String text) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
