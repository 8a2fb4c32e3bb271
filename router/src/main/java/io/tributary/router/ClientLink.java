package io.tributary.router;

/**
 * The router's view of a connected client: what a protocol adapter implements so a session can
 * write to it. Every method is called on the event loop that owns the connection.
 */
public interface ClientLink {

  /**
   * True when the connection cannot take more right now (socket write queue full). The session
   * then stops taking records from the log until {@link Session#resume()} is called on drain.
   */
  boolean writeQueueFull();

  /**
   * Writes a PUBLISH. {@code packetId} is 0 for QoS 0. The link may batch writes and flush once per
   * event-loop turn; the payload bytes of {@code message} are shared and must not be copied per
   * subscriber where avoidable. {@code subscriptionIds} are the identifiers of the subscriptions
   * the message matched (empty for none). Returns false if the client cannot take the message
   * (e.g. larger than its maximum packet size): it is then discarded for this client.
   */
  boolean publish(Message message, int qos, boolean retain, boolean dup, int packetId, int[] subscriptionIds);

  /** Writes a PUBREL for an outbound QoS 2 message (also on resend after a reconnect). */
  void pubrel(int packetId);

  /** False once the connection is closed; a closed connection must not take a session over. */
  boolean isOpen();

  /** Closes the connection because another connection took its session over. */
  void takenOver();

  /** Short description for logs: client id and remote address. */
  String describe();
}
