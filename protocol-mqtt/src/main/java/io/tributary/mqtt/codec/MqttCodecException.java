package io.tributary.mqtt.codec;

/**
 * Thrown for any violation of the MQTT wire format found by {@link MqttDecoder}. The reason code
 * is an MQTT 5.0 reason code so the caller can answer 5.0 clients (DISCONNECT / CONNACK); for 3.1.1
 * clients the connection is simply closed (or, for {@link #UNSUPPORTED_PROTOCOL_VERSION},
 * answered with CONNACK 0x01).
 */
public final class MqttCodecException extends Exception {

  private static final long serialVersionUID = 1L;

  /** The packet cannot be parsed according to the specification. */
  public static final int MALFORMED_PACKET = 0x81;
  /** The packet parses but is not allowed here (wrong order, wrong direction, zero packet id...). */
  public static final int PROTOCOL_ERROR = 0x82;
  /** CONNECT with a protocol name / level this server does not speak. */
  public static final int UNSUPPORTED_PROTOCOL_VERSION = 0x84;
  /** The packet is larger than the configured maximum packet size. */
  public static final int PACKET_TOO_LARGE = 0x95;
  /**
   * MQTT 5.0: a PUBLISH or will with Payload Format Indicator 1 whose payload is not well-formed
   * UTF-8.
   */
  public static final int PAYLOAD_FORMAT_INVALID = 0x99;

  private final int reasonCode;
  private final boolean userPropertyLimit;

  public MqttCodecException(int reasonCode, String message) {
    this(reasonCode, message, false);
  }

  private MqttCodecException(int reasonCode, String message, boolean userPropertyLimit) {
    super(message);
    this.reasonCode = reasonCode;
    this.userPropertyLimit = userPropertyLimit;
  }

  /** A packet over the configured user property bounds (0x95): counted apart from malformed input. */
  static MqttCodecException userPropertyLimit(String message) {
    return new MqttCodecException(PACKET_TOO_LARGE, message, true);
  }

  /** Whether the packet broke the user property bounds rather than the wire format. */
  public boolean isUserPropertyLimit() {
    return userPropertyLimit;
  }

  /** MQTT 5.0 reason code: 0x81, 0x82, 0x84, 0x95 or 0x99 (see {@link ReasonCodes}). */
  public int reasonCode() {
    return reasonCode;
  }

  @Override
  public String toString() {
    return "MqttCodecException[0x" + Integer.toHexString(reasonCode) + "]: " + getMessage();
  }
}
