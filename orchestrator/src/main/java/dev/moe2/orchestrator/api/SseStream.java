package dev.moe2.orchestrator.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.moe2.orchestrator.routing.RequestRouter;
import dev.moe2.orchestrator.routing.StreamTap;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * One streamed answer as server-sent events in the OpenAI chunk format. The routing thread feeds it
 * ({@link StreamTap}: text as the expert generates it, then the answer or the failure); the HTTP
 * worker writes it ({@link #writeTo}), flushing every chunk. Nothing is committed before the first
 * text or the end: a request refused or failed before any text gets the API's JSON error with its
 * status; one that fails after text was sent gets an error event, as OpenAI sends one. The client's
 * going away (a failed write, or the connection found closed) is seen by the routing thread through
 * {@link #gone}, which withdraws the experts.
 */
final class SseStream implements StreamTap {

  private static final Logger LOG = Logger.getLogger(SseStream.class);

  private sealed interface Event permits Text, Done, Failed {}

  private record Text(String piece) implements Event {}

  private record Done(RequestRouter.Answer answer) implements Event {}

  private record Failed(RuntimeException error) implements Event {}

  private final ObjectMapper json;
  private final long created;
  private final boolean includeUsage;
  private final BooleanSupplier connectionClosed;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final CountDownLatch first = new CountDownLatch(1);
  private volatile Event firstEvent;
  private volatile boolean gone;
  private volatile String id;
  private volatile String category;

  SseStream(
      ObjectMapper json, long created, boolean includeUsage, BooleanSupplier connectionClosed) {
    this.json = json;
    this.created = created;
    this.includeUsage = includeUsage;
    this.connectionClosed = connectionClosed;
  }

  /** Runs the routing of the request on the calling thread, feeding this stream. */
  void route(java.util.function.Supplier<RequestRouter.Answer> routing) {
    try {
      offer(new Done(routing.get()));
    } catch (RuntimeException e) {
      offer(new Failed(e));
    }
  }

  @Override
  public void dispatching(String requestId, String category) {
    this.id = "chatcmpl-" + requestId;
    this.category = category;
  }

  @Override
  public void text(String piece) {
    offer(new Text(piece));
  }

  @Override
  public boolean gone() {
    if (!gone && connectionClosed.getAsBoolean()) {
      gone = true;
    }
    return gone;
  }

  private void offer(Event e) {
    events.add(e);
    if (firstEvent == null) {
      firstEvent = e;
    }
    first.countDown();
  }

  /**
   * Waits for the first text or the end.
   *
   * @throws RuntimeException the routing's failure when it failed before any text (the API answers
   *     it as JSON with its status)
   */
  void awaitFirst() {
    try {
      first.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      gone = true;
      throw new ApiException(503, "interrupted", "the orchestrator is stopping; retry");
    }
    if (firstEvent instanceof Failed f) {
      throw f.error();
    }
  }

  /** Writes the events as they come until the end (on the HTTP worker). */
  void writeTo(OutputStream out) {
    StringBuilder sent = new StringBuilder();
    try {
      boolean opened = false;
      while (true) {
        Event e = events.take();
        if (e instanceof Text t) {
          write(out, chunk(opened ? null : "assistant", t.piece(), null));
          opened = true;
          sent.append(t.piece());
        } else if (e instanceof Done d) {
          RequestRouter.Answer a = d.answer();
          // the streamed text is a prefix of the answer unless the combination chose another's
          boolean prefix = a.text().startsWith(sent.toString());
          String rest = prefix ? a.text().substring(sent.length()) : "";
          if (!opened || !rest.isEmpty()) {
            write(out, chunk(opened ? null : "assistant", rest, null));
          }
          ObjectNode last = chunk(null, null, a.finishReason());
          ObjectNode moe2 = json.valueToTree(a.decision());
          if (!prefix) {
            moe2.put(
                "streamNote",
                "the stream carried "
                    + a.decision().streamedBy()
                    + "'s answer; the combined answer of the "
                    + a.decision().k()
                    + " experts, by "
                    + a.decision().answeredBy()
                    + ", is in moe2.answer");
          }
          last.set("moe2", moe2);
          write(out, last);
          if (includeUsage) {
            ObjectNode u = head();
            u.putArray("choices");
            u.putObject("usage")
                .put("prompt_tokens", a.promptTokens())
                .put("completion_tokens", a.completionTokens())
                .put("total_tokens", a.promptTokens() + a.completionTokens());
            write(out, u);
          }
          done(out);
          return;
        } else if (e instanceof Failed f) {
          RuntimeException err = f.error();
          ApiException api =
              err instanceof ApiException x
                  ? x
                  : new ApiException(500, "internal", "the stream failed: " + err.getMessage());
          if (!(err instanceof ApiException)) {
            LOG.errorf(err, "streamed request %s failed", id);
          }
          out.write(
              ("data: "
                      + json.writeValueAsString(
                          ApiExceptionMapper.shape(api.status(), api.code(), api.getMessage()))
                      + "\n\n")
                  .getBytes(StandardCharsets.UTF_8));
          done(out);
          return;
        }
      }
    } catch (IOException e) {
      gone = true; // the client went away: the routing thread withdraws the experts
      LOG.debugf("stream %s: the client went away (%s)", id, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      gone = true;
    }
  }

  private ObjectNode head() {
    ObjectNode c = json.createObjectNode();
    c.put("id", id).put("object", "chat.completion.chunk").put("created", created);
    c.put("model", category);
    return c;
  }

  /** A chunk with one choice: its delta (role and content when given) and finish reason. */
  private ObjectNode chunk(String role, String content, String finishReason) {
    ObjectNode c = head();
    ObjectNode choice = c.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode delta = choice.putObject("delta");
    if (role != null) {
      delta.put("role", role);
    }
    if (content != null) {
      delta.put("content", content);
    }
    if (finishReason == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finishReason);
    }
    return c;
  }

  private void write(OutputStream out, ObjectNode chunk) throws IOException {
    out.write(
        ("data: " + json.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void done(OutputStream out) throws IOException {
    out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
