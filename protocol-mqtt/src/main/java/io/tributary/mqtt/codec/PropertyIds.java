package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.MqttProperties.*;

/**
 * What MQTT 5.0 says about each property (2.2.2.2): its data type, its name, and the packets it may
 * appear in. The identifiers themselves are public on {@link MqttProperties}.
 */
final class PropertyIds {

  private PropertyIds() {}

  static final int T_BYTE = 1;
  static final int T_TWO_BYTE = 2;
  static final int T_FOUR_BYTE = 3;
  static final int T_VBI = 4;
  static final int T_STRING = 5;
  static final int T_BINARY = 6;
  static final int T_PAIR = 7;
  /** Byte property whose value must be 0 or 1: exposed as Boolean. */
  static final int T_BOOLEAN = 8;

  static final int ID_LIMIT = SHARED_SUBSCRIPTION_AVAILABLE + 1;

  /** Data type by identifier; 0 = no such property. */
  static final int[] TYPE = new int[ID_LIMIT];
  /** Name by identifier, as in the accessors. */
  static final String[] NAME = new String[ID_LIMIT];

  static {
    define(PAYLOAD_FORMAT_INDICATOR, T_BYTE, "payloadFormatIndicator");
    define(MESSAGE_EXPIRY_INTERVAL, T_FOUR_BYTE, "messageExpiryInterval");
    define(CONTENT_TYPE, T_STRING, "contentType");
    define(RESPONSE_TOPIC, T_STRING, "responseTopic");
    define(CORRELATION_DATA, T_BINARY, "correlationData");
    define(SUBSCRIPTION_IDENTIFIER, T_VBI, "subscriptionIdentifier");
    define(SESSION_EXPIRY_INTERVAL, T_FOUR_BYTE, "sessionExpiryInterval");
    define(ASSIGNED_CLIENT_IDENTIFIER, T_STRING, "assignedClientIdentifier");
    define(SERVER_KEEP_ALIVE, T_TWO_BYTE, "serverKeepAlive");
    define(AUTHENTICATION_METHOD, T_STRING, "authenticationMethod");
    define(AUTHENTICATION_DATA, T_BINARY, "authenticationData");
    define(REQUEST_PROBLEM_INFORMATION, T_BOOLEAN, "requestProblemInformation");
    define(WILL_DELAY_INTERVAL, T_FOUR_BYTE, "willDelayInterval");
    define(REQUEST_RESPONSE_INFORMATION, T_BOOLEAN, "requestResponseInformation");
    define(RESPONSE_INFORMATION, T_STRING, "responseInformation");
    define(SERVER_REFERENCE, T_STRING, "serverReference");
    define(REASON_STRING, T_STRING, "reasonString");
    define(RECEIVE_MAXIMUM, T_TWO_BYTE, "receiveMaximum");
    define(TOPIC_ALIAS_MAXIMUM, T_TWO_BYTE, "topicAliasMaximum");
    define(TOPIC_ALIAS, T_TWO_BYTE, "topicAlias");
    define(MAXIMUM_QOS, T_BYTE, "maximumQos");
    define(RETAIN_AVAILABLE, T_BOOLEAN, "retainAvailable");
    define(USER_PROPERTY, T_PAIR, "userProperty");
    define(MAXIMUM_PACKET_SIZE, T_FOUR_BYTE, "maximumPacketSize");
    define(WILDCARD_SUBSCRIPTION_AVAILABLE, T_BOOLEAN, "wildcardSubscriptionAvailable");
    define(SUBSCRIPTION_IDENTIFIER_AVAILABLE, T_BOOLEAN, "subscriptionIdentifierAvailable");
    define(SHARED_SUBSCRIPTION_AVAILABLE, T_BOOLEAN, "sharedSubscriptionAvailable");
  }

  private static void define(int id, int type, String name) {
    TYPE[id] = type;
    NAME[id] = name;
  }

  // ---- where each property may appear (2.2.2.2), as bit masks over the identifiers ----

  static final long ALLOWED_CONNECT =
      mask(SESSION_EXPIRY_INTERVAL, AUTHENTICATION_METHOD, AUTHENTICATION_DATA,
          REQUEST_PROBLEM_INFORMATION, REQUEST_RESPONSE_INFORMATION, RECEIVE_MAXIMUM,
          TOPIC_ALIAS_MAXIMUM, USER_PROPERTY, MAXIMUM_PACKET_SIZE);
  static final long ALLOWED_WILL =
      mask(PAYLOAD_FORMAT_INDICATOR, MESSAGE_EXPIRY_INTERVAL, CONTENT_TYPE, RESPONSE_TOPIC,
          CORRELATION_DATA, WILL_DELAY_INTERVAL, USER_PROPERTY);
  static final long ALLOWED_CONNACK =
      mask(SESSION_EXPIRY_INTERVAL, ASSIGNED_CLIENT_IDENTIFIER, SERVER_KEEP_ALIVE,
          AUTHENTICATION_METHOD, AUTHENTICATION_DATA, RESPONSE_INFORMATION, SERVER_REFERENCE,
          REASON_STRING, RECEIVE_MAXIMUM, TOPIC_ALIAS_MAXIMUM, MAXIMUM_QOS, RETAIN_AVAILABLE,
          USER_PROPERTY, MAXIMUM_PACKET_SIZE, WILDCARD_SUBSCRIPTION_AVAILABLE,
          SUBSCRIPTION_IDENTIFIER_AVAILABLE, SHARED_SUBSCRIPTION_AVAILABLE);
  static final long ALLOWED_PUBLISH =
      mask(PAYLOAD_FORMAT_INDICATOR, MESSAGE_EXPIRY_INTERVAL, CONTENT_TYPE, RESPONSE_TOPIC,
          CORRELATION_DATA, SUBSCRIPTION_IDENTIFIER, TOPIC_ALIAS, USER_PROPERTY);
  /** PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK. */
  static final long ALLOWED_ACK = mask(REASON_STRING, USER_PROPERTY);
  static final long ALLOWED_SUBSCRIBE = mask(SUBSCRIPTION_IDENTIFIER, USER_PROPERTY);
  static final long ALLOWED_UNSUBSCRIBE = mask(USER_PROPERTY);
  static final long ALLOWED_DISCONNECT =
      mask(SESSION_EXPIRY_INTERVAL, SERVER_REFERENCE, REASON_STRING, USER_PROPERTY);
  static final long ALLOWED_AUTH =
      mask(AUTHENTICATION_METHOD, AUTHENTICATION_DATA, REASON_STRING, USER_PROPERTY);

  static long mask(int... ids) {
    long m = 0;
    for (int id : ids) {
      m |= 1L << id;
    }
    return m;
  }

  /** The properties a packet of this type may carry (for a will see {@link #ALLOWED_WILL}). */
  static long allowed(PacketType type) {
    switch (type) {
      case CONNECT:
        return ALLOWED_CONNECT;
      case CONNACK:
        return ALLOWED_CONNACK;
      case PUBLISH:
        return ALLOWED_PUBLISH;
      case PUBACK:
      case PUBREC:
      case PUBREL:
      case PUBCOMP:
      case SUBACK:
      case UNSUBACK:
        return ALLOWED_ACK;
      case SUBSCRIBE:
        return ALLOWED_SUBSCRIBE;
      case UNSUBSCRIBE:
        return ALLOWED_UNSUBSCRIBE;
      case DISCONNECT:
        return ALLOWED_DISCONNECT;
      case AUTH:
        return ALLOWED_AUTH;
      default:
        return 0;
    }
  }

  /** The name of a property identifier, e.g. "receiveMaximum (0x21)". */
  static String describe(int id) {
    String name = id >= 0 && id < ID_LIMIT ? NAME[id] : null;
    return (name == null ? "property" : name) + " (0x" + hex2(id) + ")";
  }

  private static String hex2(int v) {
    String s = Integer.toHexString(v).toUpperCase();
    return s.length() == 1 ? "0" + s : s;
  }
}
