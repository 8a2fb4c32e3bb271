package io.tributary.router.shared;

import io.tributary.router.message.Message;

/**
 * Whether this broker's group delivers a record: always on a broker of its own; in a cluster the
 * messages of a group with members on several nodes are spread over those nodes, each to one.
 */
public interface SharedChoice {

  /** One broker: its groups deliver every message they match. */
  SharedChoice LOCAL = (groupKey, offset, message) -> true;

  /** Whether the group {@code groupKey} here takes the record at offset (called on the group's home thread). */
  boolean here(String groupKey, long offset, Message message);
}
