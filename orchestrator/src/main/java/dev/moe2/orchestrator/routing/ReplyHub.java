package dev.moe2.orchestrator.routing;

import dev.moe2.protocol.ErrorReport;
import dev.moe2.protocol.InferenceReply;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.PartialOutput;
import dev.moe2.protocol.Topic;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import org.jboss.logging.Logger;

/**
 * Hands replies, partial outputs and errors arriving on this replica's replies topic to the request
 * waiting for them; at most one answer per (request, agent, model) counts (QoS 1 may redeliver),
 * late ones are dropped.
 */
@Singleton
public class ReplyHub {

  private static final Logger LOG = Logger.getLogger(ReplyHub.class);

  private final Map<String, BlockingQueue<Message>> waiting = new ConcurrentHashMap<>();
  private final Map<String, Boolean> seen = new ConcurrentHashMap<>();

  /** Opens a mailbox for {@code requestId}; close it with {@link #close}. */
  public BlockingQueue<Message> open(String requestId) {
    BlockingQueue<Message> q = new LinkedBlockingQueue<>();
    waiting.put(requestId, q);
    return q;
  }

  public void close(String requestId) {
    waiting.remove(requestId);
    seen.keySet().removeIf(k -> k.startsWith(requestId + "|"));
  }

  public void accept(Topic topic, Message m) {
    if (m instanceof PartialOutput p) {
      // many per expert: the dispatcher keeps what is new by offset; late ones are dropped
      BlockingQueue<Message> q = waiting.get(p.requestId().value());
      if (q != null) {
        q.add(p);
      }
      return;
    }
    String requestId;
    String model;
    if (m instanceof InferenceReply r) {
      requestId = r.requestId().value();
      model = r.modelId().value();
    } else if (m instanceof ErrorReport e && e.requestId() != null) {
      requestId = e.requestId().value();
      model = e.modelId() == null ? "" : e.modelId().value();
    } else {
      LOG.debugf("reply without a request id on %s", topic.name());
      return;
    }
    String key = requestId + "|" + topic.agentId().value() + "|" + model;
    if (seen.putIfAbsent(key, Boolean.TRUE) != null) {
      return; // a duplicate answer of the same expert (QoS 1 redelivery)
    }
    BlockingQueue<Message> q = waiting.get(requestId);
    if (q == null) {
      LOG.debugf("late answer for %s from %s dropped", requestId, topic.agentId());
      seen.remove(key);
      return;
    }
    q.add(m);
  }
}
