package io.tributary.cluster;

import io.tributary.router.session.SessionRegistry;
import io.vertx.core.buffer.Buffer;

/**
 * A session moving between nodes as one event-bus message: its state (as the state log keeps it)
 * and its queue, the messages in {@link ForwardBatch}'s form with their offsets in the old node's
 * log.
 *
 * <pre>
 *   stateLength  int32
 *   state        bytes
 *   messages     a forward batch
 * </pre>
 */
final class SessionHandoffs {

  private SessionHandoffs() {
  }

  static Buffer write(SessionRegistry.Handoff handoff) {
    ForwardBatch batch = new ForwardBatch(1024);
    for (int i = 0; i < handoff.offsets().length; i++) {
      batch.add(handoff.offsets()[i], handoff.messages().get(i));
    }
    return Buffer.buffer(4 + handoff.state().length + batch.bytes()).appendInt(handoff.state().length)
        .appendBytes(handoff.state()).appendBuffer(batch.body());
  }

  static SessionRegistry.Handoff read(Buffer buffer) {
    int stateLength = buffer.getInt(0);
    if (stateLength < 0 || stateLength > buffer.length() - 4) {
      throw new IllegalArgumentException("session handoff: state of " + stateLength + " bytes in " + buffer.length());
    }
    byte[] state = buffer.getBytes(4, 4 + stateLength);
    ForwardBatch.Received queued = ForwardBatch.read(buffer.slice(4 + stateLength, buffer.length()), null);
    return new SessionRegistry.Handoff(state, queued.offsets(), queued.messages());
  }
}
