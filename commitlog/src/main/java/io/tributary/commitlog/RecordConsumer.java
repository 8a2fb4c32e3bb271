package io.tributary.commitlog;

/** Receives records from {@link CommitLog#read}; returning {@code false} stops the read before this record. */
@FunctionalInterface
public interface RecordConsumer<V> {

  /** Returns {@code true} if the record was consumed and reading should go on. */
  boolean accept(long offset, V value);
}
