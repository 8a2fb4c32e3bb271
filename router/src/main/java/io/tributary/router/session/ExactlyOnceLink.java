package io.tributary.router.session;

/**
 * A link whose clients take exactly-once (QoS 2) deliveries: after the client says it received one
 * ({@link Session#received}), the session releases its id ({@link #release}) and the client
 * completes it ({@link Session#completed}). In MQTT: PUBREC, PUBREL, PUBCOMP.
 */
public interface ExactlyOnceLink extends ClientLink {

  /** Tells the client the exactly-once delivery {@code deliveryId} is released (also on resend). */
  void release(int deliveryId);
}
