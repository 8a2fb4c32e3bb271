package io.tributary.commitlog;

/** When appended records are forced from the page cache to the disk ({@link Storage#DISK} only). */
public enum FlushPolicy {
  /**
   * Never forced by the log: the OS writes dirty pages back on its own. A killed process loses
   * nothing it appended (the pages are the kernel's); a power cut or kernel crash may.
   */
  NONE,
  /** Forced every {@link CommitLogOptions#getFlushIntervalMs()} by a background thread. */
  INTERVAL,
  /**
   * Forced before {@link CommitLog#whenDurable} callbacks run; one force covers every record
   * appended since the previous one (group commit). Records nobody waits for are forced at least
   * every {@link CommitLogOptions#getFlushIntervalMs()}.
   */
  ALWAYS
}
