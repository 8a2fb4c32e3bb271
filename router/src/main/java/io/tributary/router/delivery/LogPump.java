package io.tributary.router.delivery;

/**
 * A reader of the log with an offset of its own (a shared-subscription group) that a
 * {@link Dispatcher} runs on its thread each time it is woken.
 */
public interface LogPump {

  /** Hands out what is ready, one batch at most; true when more is ready and it should run again soon. */
  boolean pump();
}
