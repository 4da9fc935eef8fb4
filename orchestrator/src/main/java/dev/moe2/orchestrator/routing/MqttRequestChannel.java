package dev.moe2.orchestrator.routing;

import dev.moe2.orchestrator.broker.MessageBus;
import dev.moe2.protocol.InferenceRequest;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.OrchestratorId;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** {@link RequestChannel} over the message bus and the reply hub. */
@Singleton
class MqttRequestChannel implements RequestChannel {

  private final MessageBus bus;
  private final ReplyHub replies;

  MqttRequestChannel(MessageBus bus, ReplyHub replies) {
    this.bus = bus;
    this.replies = replies;
  }

  @Override
  public OrchestratorId id() {
    return bus.id();
  }

  @Override
  public boolean send(InferenceRequest request) {
    return bus.request(request);
  }

  @Override
  public boolean cancel(dev.moe2.protocol.CancelRequest cancel) {
    return bus.publish(dev.moe2.protocol.Topic.cancel(cancel.agentId()), cancel);
  }

  @Override
  public Mailbox open(String requestId) {
    BlockingQueue<Message> box = replies.open(requestId);
    return new Mailbox() {
      @Override
      public Message poll(Duration max) throws InterruptedException {
        return box.poll(max.toNanos(), TimeUnit.NANOSECONDS);
      }

      @Override
      public void close() {
        replies.close(requestId);
      }
    };
  }
}
