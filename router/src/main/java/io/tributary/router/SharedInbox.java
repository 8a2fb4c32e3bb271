package io.tributary.router;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Shared-subscription messages handed to members on one core by group pumps on other cores (or
 * this one): a lock-free MPSC queue drained by one task per batch, never one task per message.
 */
final class SharedInbox {

  private final Core core;
  private final ConcurrentLinkedQueue<Handoff> queue = new ConcurrentLinkedQueue<>();

  private record Handoff(SharedMember member, Message message) {}
  private final AtomicBoolean scheduled = new AtomicBoolean();

  SharedInbox(Core core) {
    this.core = core;
  }

  /** Any thread. */
  void offer(SharedMember member, Message message) {
    queue.add(new Handoff(member, message));
    if (scheduled.compareAndSet(false, true)) {
      core.execute(this::drain);
    }
  }

  private void drain() {
    scheduled.set(false);
    Handoff h;
    while ((h = queue.poll()) != null) {
      h.member().session.receiveShared(h.member(), h.message());
    }
  }
}
