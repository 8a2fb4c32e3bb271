package io.tributary.commitlog;

/**
 * Bytes a value accounts for in retention. Called once per append, so it should be a field read
 * (payload length plus a fixed overhead), not a serialization.
 */
@FunctionalInterface
public interface RecordSize<V> {

  int sizeOf(V value);
}
