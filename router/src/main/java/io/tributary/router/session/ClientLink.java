package io.tributary.router.session;

import io.tributary.router.message.Message;

/**
 * The router's view of a connected client: what a protocol adapter implements so a session can
 * deliver to it. Every method is called on the event loop that owns the connection.
 *
 * <p>Deliveries with a QoS above 0 stay in the session's outbound window until the link
 * acknowledges them with {@link Session#acknowledge}: an MQTT link when the client acks, a device
 * link when the bytes are written. Exactly-once deliveries (QoS 2) go only to an
 * {@link ExactlyOnceLink}; other links get them at QoS 1.
 */
public interface ClientLink {

  /**
   * True when the connection cannot take more right now (socket write queue full). The session
   * then stops taking records from the log until {@link Session#writable()} is called on drain.
   */
  boolean writeQueueFull();

  /**
   * Delivers one message. {@code deliveryId} names the delivery in its acknowledgement (0 for
   * QoS 0, where there is none); {@code redelivery} is true when it was delivered before, on an
   * earlier connection; {@code subscriptionIds} are the identifiers of the subscriptions the
   * message matched (empty for none). The link may batch writes and flush once per event-loop
   * turn. Returns false if the client cannot take the message (e.g. larger than its maximum
   * packet size): it is then discarded for this client.
   */
  boolean deliver(Message message, int qos, boolean retain, boolean redelivery, int deliveryId, int[] subscriptionIds);

  /** False once the connection is closed; a closed connection must not take a session over. */
  boolean isOpen();

  /** Closes the connection because another connection took its session over. */
  void takenOver();

  /** Short description for logs: client id and remote address. */
  String describe();

  /**
   * Closes the connection at an operator's request (the admin API); the session has already let
   * go of it. MQTT 5 clients are told DISCONNECT 0x98, administrative action.
   */
  default void closedByAdmin() {
    takenOver();
  }

  /** Where the connection came from and how it connected, for operators; null if unknown. */
  default ConnectionDetails details() {
    return null;
  }
}
