package io.tributary.router.shared;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Shared-subscription messages handed to members on one dispatcher by group pumps on other
 * dispatchers (or this one): a lock-free MPSC queue drained by one task per batch, never one task
 * per message.
 */
final class SharedInbox {

  private final Executor executor;
  private final ConcurrentLinkedQueue<SharedHandoff> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  SharedInbox(Executor executor) {
    this.executor = executor;
  }

  /** Any thread. */
  void offer(SharedHandoff handoff) {
    queue.add(handoff);
    if (scheduled.compareAndSet(false, true)) {
      executor.execute(this::drain);
    }
  }

  private void drain() {
    scheduled.set(false);
    SharedHandoff h;
    while ((h = queue.poll()) != null) {
      h.member().receiver().receiveShared(h);
    }
  }
}
