package io.tributary.mqtt.codec;


import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The MQTT 5.0 properties of a packet (or of a will). 3.1.1 packets always carry {@link #EMPTY}.
 *
 * <p>Every property has a typed getter that returns {@code null} when the property is absent
 * (the two repeatable ones, {@link #subscriptionIdentifiers()} and {@link #userProperties()},
 * return an empty list instead) and a fluent setter; setting {@code null} removes the property.
 * Four Byte Integers are {@code Long} (they are unsigned 32 bit), Two Byte Integers and bytes
 * {@code Integer}, the 0/1 byte properties {@code Boolean}, Binary Data {@code byte[]} (owned by
 * this object: do not modify a returned array).
 *
 * <p>Setters check only what the wire can carry (a Two Byte Integer fits 0..65535, a Four Byte
 * Integer 0..4294967295, a subscription identifier 0..268435455 ...), not the protocol rules
 * about values (Receive Maximum 0, Topic Alias 0, Maximum QoS 2 ...): those are enforced by
 * {@link MqttDecoder} on what it receives, and the encoder can therefore also write violating
 * packets for tests. Strings and binary values longer than 65535 bytes are rejected when encoded.
 *
 * <p>Instances are mutable, except {@link #EMPTY}, whose setters throw {@link
 * UnsupportedOperationException}. A packet's properties are meant to be treated as read-only once
 * the packet is built (packets are shared, e.g. across cores); use {@link #copy()} to derive
 * modified properties. Not thread-safe for concurrent modification.
 */
public final class MqttProperties extends PropertySet<MqttProperties> {

  // ---- property identifiers (MQTT 5.0, 2.2.2.2) ----

  public static final int PAYLOAD_FORMAT_INDICATOR = 0x01;
  public static final int MESSAGE_EXPIRY_INTERVAL = 0x02;
  public static final int CONTENT_TYPE = 0x03;
  public static final int RESPONSE_TOPIC = 0x08;
  public static final int CORRELATION_DATA = 0x09;
  public static final int SUBSCRIPTION_IDENTIFIER = 0x0B;
  public static final int SESSION_EXPIRY_INTERVAL = 0x11;
  public static final int ASSIGNED_CLIENT_IDENTIFIER = 0x12;
  public static final int SERVER_KEEP_ALIVE = 0x13;
  public static final int AUTHENTICATION_METHOD = 0x15;
  public static final int AUTHENTICATION_DATA = 0x16;
  public static final int REQUEST_PROBLEM_INFORMATION = 0x17;
  public static final int WILL_DELAY_INTERVAL = 0x18;
  public static final int REQUEST_RESPONSE_INFORMATION = 0x19;
  public static final int RESPONSE_INFORMATION = 0x1A;
  public static final int SERVER_REFERENCE = 0x1C;
  public static final int REASON_STRING = 0x1F;
  public static final int RECEIVE_MAXIMUM = 0x21;
  public static final int TOPIC_ALIAS_MAXIMUM = 0x22;
  public static final int TOPIC_ALIAS = 0x23;
  public static final int MAXIMUM_QOS = 0x24;
  public static final int RETAIN_AVAILABLE = 0x25;
  public static final int USER_PROPERTY = 0x26;
  public static final int MAXIMUM_PACKET_SIZE = 0x27;
  public static final int WILDCARD_SUBSCRIPTION_AVAILABLE = 0x28;
  public static final int SUBSCRIPTION_IDENTIFIER_AVAILABLE = 0x29;
  public static final int SHARED_SUBSCRIPTION_AVAILABLE = 0x2A;

  /** Largest Variable Byte Integer, and so largest subscription identifier. */
  public static final int MAX_VARIABLE_BYTE_INTEGER = 268_435_455;

  /** Largest Four Byte Integer. */
  public static final long MAX_FOUR_BYTE_INTEGER = 0xFFFF_FFFFL;

  /** No properties; immutable. */
  public static final MqttProperties EMPTY = new MqttProperties(true);

  /** A new, empty, mutable property set. */
  public MqttProperties() {
    this(false);
  }

  private MqttProperties(boolean immutable) {
    super(immutable);
  }

  @Override
  MqttProperties self() {
    return this;
  }

  /** A new empty, mutable property set (for fluent building). */
  public static MqttProperties create() {
    return new MqttProperties();
  }

  /** A mutable copy (lists and arrays copied too). Copying {@link #EMPTY} gives a new empty set. */
  public MqttProperties copy() {
    return copyInto(new MqttProperties());
  }


  /** Writes the properties (without the property length), in identifier order. */
  void writeTo(io.netty.buffer.ByteBuf buf) {
    PropertiesEncoder.writeTo(this, buf);
  }

  // ---- typed accessors ----

  /** 0x01, PUBLISH and will: 0 = unspecified bytes, 1 = UTF-8 character data. */
  public Integer payloadFormatIndicator() {
    return (Integer) get(PAYLOAD_FORMAT_INDICATOR);
  }

  public MqttProperties payloadFormatIndicator(Integer value) {
    return put(PAYLOAD_FORMAT_INDICATOR, checkRange(value, 0xFF, "payload format indicator"));
  }

  /** 0x02, PUBLISH and will: seconds. */
  public Long messageExpiryInterval() {
    return (Long) get(MESSAGE_EXPIRY_INTERVAL);
  }

  public MqttProperties messageExpiryInterval(Long seconds) {
    return put(MESSAGE_EXPIRY_INTERVAL, checkFourByte(seconds, "message expiry interval"));
  }

  /** 0x03, PUBLISH and will. */
  public String contentType() {
    return (String) get(CONTENT_TYPE);
  }

  public MqttProperties contentType(String value) {
    return put(CONTENT_TYPE, value);
  }

  /** 0x08, PUBLISH and will. */
  public String responseTopic() {
    return (String) get(RESPONSE_TOPIC);
  }

  public MqttProperties responseTopic(String value) {
    return put(RESPONSE_TOPIC, value);
  }

  /** 0x09, PUBLISH and will. Owned by this object: do not modify. */
  public byte[] correlationData() {
    return (byte[]) get(CORRELATION_DATA);
  }

  public MqttProperties correlationData(byte[] value) {
    return put(CORRELATION_DATA, value);
  }

  /**
   * 0x0B: the subscription identifiers, in order; empty when absent. A SUBSCRIBE carries at most
   * one; a PUBLISH from a server one per matching subscription; a PUBLISH from a client none.
   */
  @SuppressWarnings("unchecked")
  public List<Integer> subscriptionIdentifiers() {
    List<Integer> l = (List<Integer>) get(SUBSCRIPTION_IDENTIFIER);
    return l == null ? List.of() : Collections.unmodifiableList(l);
  }

  /** The first subscription identifier (the only one of a SUBSCRIBE), or null. */
  @SuppressWarnings("unchecked")
  public Integer subscriptionIdentifier() {
    List<Integer> l = (List<Integer>) get(SUBSCRIPTION_IDENTIFIER);
    return l == null ? null : l.get(0);
  }

  /** Replaces the subscription identifiers; null or empty removes them. */
  public MqttProperties subscriptionIdentifiers(List<Integer> ids) {
    if (ids == null || ids.isEmpty()) {
      return put(SUBSCRIPTION_IDENTIFIER, null);
    }
    List<Integer> copy = new ArrayList<>(ids.size());
    for (Integer id : ids) {
      copy.add(checkSubscriptionIdentifier(id));
    }
    return put(SUBSCRIPTION_IDENTIFIER, copy);
  }

  /** Sets exactly one subscription identifier; null removes them. */
  public MqttProperties subscriptionIdentifier(Integer id) {
    return subscriptionIdentifiers(id == null ? null : List.of(id));
  }

  /** Appends a subscription identifier. */
  @SuppressWarnings("unchecked")
  public MqttProperties addSubscriptionIdentifier(int id) {
    checkSubscriptionIdentifier(id);
    List<Integer> l = (List<Integer>) get(SUBSCRIPTION_IDENTIFIER);
    if (l == null) {
      l = new ArrayList<>(2);
    }
    l.add(id);
    return put(SUBSCRIPTION_IDENTIFIER, l);
  }

  private static Integer checkSubscriptionIdentifier(Integer id) {
    if (id == null || id < 0 || id > MAX_VARIABLE_BYTE_INTEGER) {
      throw new IllegalArgumentException(
          "subscription identifier " + id + " outside 0.." + MAX_VARIABLE_BYTE_INTEGER);
    }
    return id;
  }

  /** 0x11, CONNECT, CONNACK, DISCONNECT: seconds; 0xFFFFFFFF = never expires. */
  public Long sessionExpiryInterval() {
    return (Long) get(SESSION_EXPIRY_INTERVAL);
  }

  public MqttProperties sessionExpiryInterval(Long seconds) {
    return put(SESSION_EXPIRY_INTERVAL, checkFourByte(seconds, "session expiry interval"));
  }

  /** 0x12, CONNACK. */
  public String assignedClientIdentifier() {
    return (String) get(ASSIGNED_CLIENT_IDENTIFIER);
  }

  public MqttProperties assignedClientIdentifier(String value) {
    return put(ASSIGNED_CLIENT_IDENTIFIER, value);
  }

  /** 0x13, CONNACK: seconds. */
  public Integer serverKeepAlive() {
    return (Integer) get(SERVER_KEEP_ALIVE);
  }

  public MqttProperties serverKeepAlive(Integer seconds) {
    return put(SERVER_KEEP_ALIVE, checkRange(seconds, 0xFFFF, "server keep alive"));
  }

  /** 0x15, CONNECT, CONNACK, AUTH. */
  public String authenticationMethod() {
    return (String) get(AUTHENTICATION_METHOD);
  }

  public MqttProperties authenticationMethod(String value) {
    return put(AUTHENTICATION_METHOD, value);
  }

  /** 0x16, CONNECT, CONNACK, AUTH. Owned by this object: do not modify. */
  public byte[] authenticationData() {
    return (byte[]) get(AUTHENTICATION_DATA);
  }

  public MqttProperties authenticationData(byte[] value) {
    return put(AUTHENTICATION_DATA, value);
  }

  /** 0x17, CONNECT. Absent means true. */
  public Boolean requestProblemInformation() {
    return bool(REQUEST_PROBLEM_INFORMATION);
  }

  public MqttProperties requestProblemInformation(Boolean value) {
    return put(REQUEST_PROBLEM_INFORMATION, toInt(value));
  }

  /** 0x18, will: seconds. */
  public Long willDelayInterval() {
    return (Long) get(WILL_DELAY_INTERVAL);
  }

  public MqttProperties willDelayInterval(Long seconds) {
    return put(WILL_DELAY_INTERVAL, checkFourByte(seconds, "will delay interval"));
  }

  /** 0x19, CONNECT. Absent means false. */
  public Boolean requestResponseInformation() {
    return bool(REQUEST_RESPONSE_INFORMATION);
  }

  public MqttProperties requestResponseInformation(Boolean value) {
    return put(REQUEST_RESPONSE_INFORMATION, toInt(value));
  }

  /** 0x1A, CONNACK. */
  public String responseInformation() {
    return (String) get(RESPONSE_INFORMATION);
  }

  public MqttProperties responseInformation(String value) {
    return put(RESPONSE_INFORMATION, value);
  }

  /** 0x1C, CONNACK, DISCONNECT. */
  public String serverReference() {
    return (String) get(SERVER_REFERENCE);
  }

  public MqttProperties serverReference(String value) {
    return put(SERVER_REFERENCE, value);
  }

  /** 0x1F, CONNACK, PUBACK..PUBCOMP, SUBACK, UNSUBACK, DISCONNECT, AUTH. */
  public String reasonString() {
    return (String) get(REASON_STRING);
  }

  public MqttProperties reasonString(String value) {
    return put(REASON_STRING, value);
  }

  /** 0x21, CONNECT, CONNACK. Absent means 65535; 0 is a protocol error on the wire. */
  public Integer receiveMaximum() {
    return (Integer) get(RECEIVE_MAXIMUM);
  }

  public MqttProperties receiveMaximum(Integer value) {
    return put(RECEIVE_MAXIMUM, checkRange(value, 0xFFFF, "receive maximum"));
  }

  /** 0x22, CONNECT, CONNACK. Absent means 0 (no aliases). */
  public Integer topicAliasMaximum() {
    return (Integer) get(TOPIC_ALIAS_MAXIMUM);
  }

  public MqttProperties topicAliasMaximum(Integer value) {
    return put(TOPIC_ALIAS_MAXIMUM, checkRange(value, 0xFFFF, "topic alias maximum"));
  }

  /**
   * 0x23, PUBLISH. The decoder hands out any value, 0 included: the connection judges it against
   * the Topic Alias Maximum it announced (0 and values over it are protocol errors, 0x94).
   */
  public Integer topicAlias() {
    return (Integer) get(TOPIC_ALIAS);
  }

  public MqttProperties topicAlias(Integer value) {
    return put(TOPIC_ALIAS, checkRange(value, 0xFFFF, "topic alias"));
  }

  /** 0x24, CONNACK: 0 or 1; absent means 2. */
  public Integer maximumQos() {
    return (Integer) get(MAXIMUM_QOS);
  }

  public MqttProperties maximumQos(Integer value) {
    return put(MAXIMUM_QOS, checkRange(value, 0xFF, "maximum qos"));
  }

  /** 0x25, CONNACK. Absent means true. */
  public Boolean retainAvailable() {
    return bool(RETAIN_AVAILABLE);
  }

  public MqttProperties retainAvailable(Boolean value) {
    return put(RETAIN_AVAILABLE, toInt(value));
  }

  /** 0x26, any packet: in order, duplicates kept; empty when absent. */
  @SuppressWarnings("unchecked")
  public List<UserProperty> userProperties() {
    List<UserProperty> l = (List<UserProperty>) get(USER_PROPERTY);
    return l == null ? List.of() : Collections.unmodifiableList(l);
  }

  /** Replaces the user properties; null or empty removes them. */
  public MqttProperties userProperties(List<UserProperty> pairs) {
    if (pairs == null || pairs.isEmpty()) {
      return put(USER_PROPERTY, null);
    }
    List<UserProperty> copy = new ArrayList<>(pairs.size());
    for (UserProperty p : pairs) {
      copy.add(Objects.requireNonNull(p, "user property"));
    }
    return put(USER_PROPERTY, copy);
  }

  /** Appends a user property. */
  public MqttProperties addUserProperty(String name, String value) {
    return addUserProperty(new UserProperty(name, value));
  }

  /** Appends a user property. */
  @SuppressWarnings("unchecked")
  public MqttProperties addUserProperty(UserProperty p) {
    Objects.requireNonNull(p, "user property");
    List<UserProperty> l = (List<UserProperty>) get(USER_PROPERTY);
    if (l == null) {
      l = new ArrayList<>(4);
    }
    l.add(p);
    return put(USER_PROPERTY, l);
  }

  /** 0x27, CONNECT, CONNACK: bytes; absent means no limit beyond the protocol's. */
  public Long maximumPacketSize() {
    return (Long) get(MAXIMUM_PACKET_SIZE);
  }

  public MqttProperties maximumPacketSize(Long bytes) {
    return put(MAXIMUM_PACKET_SIZE, checkFourByte(bytes, "maximum packet size"));
  }

  /** 0x28, CONNACK. Absent means true. */
  public Boolean wildcardSubscriptionAvailable() {
    return bool(WILDCARD_SUBSCRIPTION_AVAILABLE);
  }

  public MqttProperties wildcardSubscriptionAvailable(Boolean value) {
    return put(WILDCARD_SUBSCRIPTION_AVAILABLE, toInt(value));
  }

  /** 0x29, CONNACK. Absent means true. */
  public Boolean subscriptionIdentifierAvailable() {
    return bool(SUBSCRIPTION_IDENTIFIER_AVAILABLE);
  }

  public MqttProperties subscriptionIdentifierAvailable(Boolean value) {
    return put(SUBSCRIPTION_IDENTIFIER_AVAILABLE, toInt(value));
  }

  /** 0x2A, CONNACK. Absent means true. */
  public Boolean sharedSubscriptionAvailable() {
    return bool(SHARED_SUBSCRIPTION_AVAILABLE);
  }

  public MqttProperties sharedSubscriptionAvailable(Boolean value) {
    return put(SHARED_SUBSCRIPTION_AVAILABLE, toInt(value));
  }
}
