package io.tributary.commitlog;

/** Where segments live. Both keep records as bytes outside the Java heap, in the same format. */
public enum Storage {
  /** Memory-mapped files under {@link CommitLogOptions#getDir()}; survive a restart. */
  DISK,
  /** Direct buffers, gone when the process ends; bounded by {@code -XX:MaxDirectMemorySize}. */
  MEMORY
}
