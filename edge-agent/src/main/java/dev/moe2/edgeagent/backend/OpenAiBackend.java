package dev.moe2.edgeagent.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.moe2.protocol.ChatMessage;
import dev.moe2.protocol.FinishReason;
import dev.moe2.protocol.GenerationParams;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * An OpenAI-compatible server on the device (llama.cpp server, Ollama, vLLM): {@code POST
 * {url}/chat/completions} with {@code stream: true}, so the first content chunk gives the TTFT;
 * token counts come from the final {@code usage} chunk ({@code stream_options.include_usage}), or
 * are estimated from the chunks when the server sends none. The server keeps its model loaded
 * itself, so load/unload only mark residency. HTTP errors, timeouts and unreadable streams are
 * {@link BackendException}s naming the URL and the status.
 */
public final class OpenAiBackend implements InferenceBackend {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final String model;
  private final Duration timeout;
  private final String apiKey;
  private final HttpClient http;
  private volatile boolean loaded;

  /**
   * @param baseUrl e.g. {@code http://127.0.0.1:8080/v1}
   * @param model the server's model name
   * @param apiKey sent as a bearer token when not null
   */
  public OpenAiBackend(String baseUrl, String model, Duration timeout, String apiKey) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.endpoint = URI.create(base + "/chat/completions");
    this.model = model;
    this.timeout = timeout;
    this.apiKey = apiKey;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public String kind() {
    return "openai";
  }

  @Override
  public void load() {
    loaded = true;
  }

  @Override
  public void unload() {
    loaded = false;
  }

  @Override
  public boolean loaded() {
    return loaded;
  }

  /**
   * The server's tokenizer is not at hand before the call: an upper estimate of one token per three
   * characters plus a few for the chat template (English runs near four characters a token with the
   * Llama and Mistral tokenizers), so an energy cap is judged on the safe side.
   */
  @Override
  public int promptTokens(List<ChatMessage> messages) {
    int chars = messages.stream().mapToInt(m -> m.content().length()).sum();
    return (chars + 2) / 3 + 4 * messages.size() + 1;
  }

  @Override
  public Generation generate(
      List<ChatMessage> messages, GenerationParams params, Cancellation cancel, TokenSink sink) {
    if (!loaded) {
      throw new BackendException("model " + model + " at " + endpoint + " is not marked resident");
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("model", model);
    ArrayNode ms = body.putArray("messages");
    for (ChatMessage m : messages) {
      ms.addObject().put("role", m.role().label()).put("content", m.content());
    }
    body.put("max_tokens", params.maxTokens());
    body.put("temperature", params.temperature());
    body.put("top_p", params.topP());
    if (params.seed() != null) {
      body.put("seed", params.seed());
    }
    if (params.stop() != null && !params.stop().isEmpty()) {
      ArrayNode stop = body.putArray("stop");
      params.stop().forEach(stop::add);
    }
    body.put("stream", true);
    body.putObject("stream_options").put("include_usage", true);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(endpoint)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    long start = System.nanoTime();
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      throw new BackendException(
          endpoint + " did not answer within " + timeout.toSeconds() + " s", e);
    } catch (IOException e) {
      throw new BackendException("cannot reach " + endpoint + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendException("interrupted while calling " + endpoint, e);
    }
    try (InputStream in = response.body()) {
      if (response.statusCode() / 100 != 2) {
        String text = new String(in.readNBytes(2000), StandardCharsets.UTF_8).strip();
        throw new BackendException(
            endpoint
                + " answered HTTP "
                + response.statusCode()
                + (text.isEmpty() ? "" : ": " + text));
      }
      return read(in, params, cancel, sink, start, promptTokens(messages));
    } catch (IOException e) {
      throw new BackendException(
          "cannot read the stream from " + endpoint + ": " + e.getMessage(), e);
    }
  }

  private Generation read(
      InputStream in,
      GenerationParams params,
      Cancellation cancel,
      TokenSink sink,
      long start,
      int promptEstimate)
      throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    StringBuilder text = new StringBuilder();
    long first = -1;
    int chunks = 0;
    int promptTokens = -1;
    int completionTokens = -1;
    FinishReason finish = FinishReason.STOP;
    String line;
    while ((line = reader.readLine()) != null) {
      if (cancel.cancelled()) {
        throw new GenerationCancelledException(chunks, params.maxTokens());
      }
      if (!line.startsWith("data:")) {
        continue;
      }
      String data = line.substring(5).strip();
      if (data.equals("[DONE]")) {
        break;
      }
      JsonNode chunk;
      try {
        chunk = JSON.readTree(data);
      } catch (IOException e) {
        throw new BackendException(endpoint + " sent a chunk that is not JSON: " + data, e);
      }
      if (chunk.has("error")) {
        throw new BackendException(endpoint + " reported an error: " + chunk.get("error"));
      }
      JsonNode choice = chunk.path("choices").path(0);
      String content = choice.path("delta").path("content").asText("");
      if (!content.isEmpty()) {
        if (first < 0) {
          first = System.nanoTime();
        }
        chunks++;
        text.append(content);
        sink.accept(content, chunks);
        FinishReason stop =
            cancel.stopBefore(promptEstimate, chunks, Duration.ofNanos(System.nanoTime() - start));
        if (stop != null) {
          finish = stop; // closing the stream stops the server's generation
          break;
        }
      }
      String reason = choice.path("finish_reason").asText("");
      if (reason.toLowerCase(Locale.ROOT).equals("length")) {
        finish = FinishReason.LENGTH;
      }
      JsonNode usage = chunk.path("usage");
      if (usage.isObject()) {
        promptTokens = usage.path("prompt_tokens").asInt(promptTokens);
        completionTokens = usage.path("completion_tokens").asInt(completionTokens);
      }
    }
    long end = System.nanoTime();
    if (completionTokens < 0) {
      completionTokens = chunks; // servers usually send one token per chunk
    }
    if (promptTokens < 0) {
      // a stream cut at the energy cap ends before the usage chunk: the estimate it was judged on
      promptTokens =
          finish == FinishReason.ENERGY_CAP || finish == FinishReason.DEADLINE ? promptEstimate : 0;
    }
    return new Generation(
        text.toString(),
        promptTokens,
        completionTokens,
        finish,
        Duration.ofNanos((first < 0 ? end : first) - start),
        Duration.ofNanos(end - start));
  }

  @Override
  public void close() {
    loaded = false;
  }
}
