package io.tributary.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.Arrays;
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
public final class MqttProperties implements io.tributary.router.message.MessageMetadata {

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

  // ---- data types (2.2.2.2) ----

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

  /** No properties; immutable. */
  public static final MqttProperties EMPTY = new MqttProperties(true);

  private final boolean immutable;
  /** Bit {@code id} set when property {@code id} is present. */
  private long present;
  /** By identifier; allocated on the first set. Lists for the two repeatable properties. */
  private Object[] values;
  /** Cached {@link #encodedLength()}, -1 when unknown. */
  private int encodedLength = -1;

  /** A new, empty, mutable property set. */
  public MqttProperties() {
    this(false);
  }

  private MqttProperties(boolean immutable) {
    this.immutable = immutable;
    if (immutable) {
      encodedLength = 0;
    }
  }

  /** A new empty, mutable property set (for fluent building). */
  public static MqttProperties create() {
    return new MqttProperties();
  }

  /** A mutable copy (lists and arrays copied too). Copying {@link #EMPTY} gives a new empty set. */
  public MqttProperties copy() {
    MqttProperties c = new MqttProperties();
    if (values != null) {
      c.values = new Object[ID_LIMIT];
      for (int id = 0; id < ID_LIMIT; id++) {
        Object v = values[id];
        if (v instanceof byte[]) {
          v = ((byte[]) v).clone();
        } else if (v instanceof List) {
          v = new ArrayList<>((List<?>) v);
        }
        c.values[id] = v;
      }
    }
    c.present = present;
    c.encodedLength = encodedLength;
    return c;
  }

  public boolean isEmpty() {
    return present == 0;
  }

  /**
   * Heap this set takes, estimated on a 64-bit JVM with compressed references: object headers,
   * the value array, strings as UTF-16 (the worst case), one record and list slot per user
   * property. Retention counts it, so many small properties cannot hide behind a small wire size.
   */
  @Override
  public int heapBytes() {
    if (values == null) {
      return 16;
    }
    long bytes = 32 + 16 + 4L * ID_LIMIT;
    for (Object v : values) {
      bytes += heapBytesOf(v);
    }
    return (int) Math.min(Integer.MAX_VALUE, bytes);
  }

  private static long heapBytesOf(Object v) {
    if (v == null) {
      return 0;
    }
    if (v instanceof String str) {
      return 40 + 2L * str.length();
    }
    if (v instanceof byte[] bytes) {
      return 16 + bytes.length;
    }
    if (v instanceof UserProperty up) {
      return 16 + heapBytesOf(up.name()) + heapBytesOf(up.value());
    }
    if (v instanceof List<?> list) {
      long bytes = 40 + 4L * list.size();
      for (Object o : list) {
        bytes += heapBytesOf(o);
      }
      return bytes;
    }
    return 16; // a boxed number
  }

  /** Whether the property with this identifier is present (e.g. {@link #TOPIC_ALIAS}). */
  public boolean contains(int id) {
    return id > 0 && id < ID_LIMIT && (present & (1L << id)) != 0;
  }

  /** Bit {@code id} set for each present property identifier. */
  long presentMask() {
    return present;
  }

  // ---- generic storage ----

  private Object get(int id) {
    return values == null ? null : values[id];
  }

  private MqttProperties put(int id, Object value) {
    if (immutable) {
      throw new UnsupportedOperationException("MqttProperties.EMPTY is immutable; use create()");
    }
    if (value == null) {
      if (values != null) {
        values[id] = null;
      }
      present &= ~(1L << id);
    } else {
      if (values == null) {
        values = new Object[ID_LIMIT];
      }
      values[id] = value;
      present |= 1L << id;
    }
    encodedLength = -1;
    return this;
  }

  private static Integer checkRange(Integer v, int max, String what) {
    if (v != null && (v < 0 || v > max)) {
      throw new IllegalArgumentException(what + " " + v + " outside 0.." + max);
    }
    return v;
  }

  private static Long checkFourByte(Long v, String what) {
    if (v != null && (v < 0 || v > MAX_FOUR_BYTE_INTEGER)) {
      throw new IllegalArgumentException(what + " " + v + " outside 0.." + MAX_FOUR_BYTE_INTEGER);
    }
    return v;
  }

  private Integer toInt(Boolean b) {
    return b == null ? null : (b ? 1 : 0);
  }

  private Boolean bool(int id) {
    Integer v = (Integer) get(id);
    return v == null ? null : v != 0;
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

  // ---- decoder entry points (values already validated) ----

  /** Stores a decoded single-valued property: Integer, Long, String or byte[] by type. */
  void putDecoded(int id, Object value) {
    put(id, value);
  }

  // ---- wire form ----

  /**
   * Bytes of the encoded properties, without the property length in front.
   *
   * @throws IllegalArgumentException if a string or binary value is over 65535 bytes or the
   *     total over the largest Variable Byte Integer
   */
  int encodedLength() {
    int cached = encodedLength;
    if (cached >= 0) {
      return cached;
    }
    long n = 0;
    long bits = present;
    while (bits != 0) {
      int id = Long.numberOfTrailingZeros(bits);
      bits &= bits - 1;
      Object v = values[id];
      switch (TYPE[id]) {
        case T_BYTE:
        case T_BOOLEAN:
          n += 2;
          break;
        case T_TWO_BYTE:
          n += 3;
          break;
        case T_FOUR_BYTE:
          n += 5;
          break;
        case T_STRING:
          n += 3 + utf8Length((String) v, NAME[id]);
          break;
        case T_BINARY:
          n += 3 + binaryLength((byte[]) v, NAME[id]);
          break;
        case T_VBI:
          for (Object o : (List<?>) v) {
            n += 1 + MqttEncoder.remainingLengthSize((Integer) o);
          }
          break;
        case T_PAIR:
          for (Object o : (List<?>) v) {
            UserProperty p = (UserProperty) o;
            n += 5 + utf8Length(p.name(), "user property name")
                + utf8Length(p.value(), "user property value");
          }
          break;
        default:
          throw new IllegalStateException("property " + id);
      }
    }
    if (n > MAX_VARIABLE_BYTE_INTEGER) {
      throw new IllegalArgumentException("properties too large: " + n + " bytes");
    }
    encodedLength = (int) n;
    return (int) n;
  }

  /** Writes the properties (without the property length), in identifier order. */
  void writeTo(ByteBuf buf) {
    long bits = present;
    while (bits != 0) {
      int id = Long.numberOfTrailingZeros(bits);
      bits &= bits - 1;
      Object v = values[id];
      switch (TYPE[id]) {
        case T_BYTE:
        case T_BOOLEAN:
          buf.writeByte(id).writeByte((Integer) v);
          break;
        case T_TWO_BYTE:
          buf.writeByte(id).writeShort((Integer) v);
          break;
        case T_FOUR_BYTE:
          buf.writeByte(id).writeInt((int) (long) (Long) v);
          break;
        case T_STRING:
          buf.writeByte(id);
          writeString(buf, (String) v);
          break;
        case T_BINARY:
          byte[] b = (byte[]) v;
          buf.writeByte(id).writeShort(b.length).writeBytes(b);
          break;
        case T_VBI:
          for (Object o : (List<?>) v) {
            buf.writeByte(id);
            MqttEncoder.writeRemainingLength(buf, (Integer) o);
          }
          break;
        case T_PAIR:
          for (Object o : (List<?>) v) {
            UserProperty p = (UserProperty) o;
            buf.writeByte(id);
            writeString(buf, p.name());
            writeString(buf, p.value());
          }
          break;
        default:
          throw new IllegalStateException("property " + id);
      }
    }
  }

  private static void writeString(ByteBuf buf, String s) {
    int len = ByteBufUtil.utf8Bytes(s);
    buf.writeShort(len);
    ByteBufUtil.reserveAndWriteUtf8(buf, s, len);
  }

  private static int utf8Length(String s, String what) {
    int len = ByteBufUtil.utf8Bytes(s);
    if (len > 0xFFFF) {
      throw new IllegalArgumentException(what + " is " + len + " UTF-8 bytes, max 65535");
    }
    return len;
  }

  private static int binaryLength(byte[] b, String what) {
    if (b.length > 0xFFFF) {
      throw new IllegalArgumentException(what + " is " + b.length + " bytes, max 65535");
    }
    return b.length;
  }

  // ---- Object ----

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof MqttProperties)) {
      return false;
    }
    MqttProperties other = (MqttProperties) o;
    if (present != other.present) {
      return false;
    }
    long bits = present;
    while (bits != 0) {
      int id = Long.numberOfTrailingZeros(bits);
      bits &= bits - 1;
      Object a = values[id];
      Object b = other.values[id];
      if (a instanceof byte[]) {
        if (!Arrays.equals((byte[]) a, (byte[]) b)) {
          return false;
        }
      } else if (!a.equals(b)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(present);
    long bits = present;
    while (bits != 0) {
      int id = Long.numberOfTrailingZeros(bits);
      bits &= bits - 1;
      Object v = values[id];
      h = h * 31 + (v instanceof byte[] ? Arrays.hashCode((byte[]) v) : v.hashCode());
    }
    return h;
  }

  @Override
  public String toString() {
    if (present == 0) {
      return "{}";
    }
    StringBuilder sb = new StringBuilder("{");
    long bits = present;
    while (bits != 0) {
      int id = Long.numberOfTrailingZeros(bits);
      bits &= bits - 1;
      if (sb.length() > 1) {
        sb.append(", ");
      }
      Object v = values[id];
      switch (TYPE[id]) {
        case T_BOOLEAN:
          sb.append(NAME[id]).append('=').append((Integer) v != 0);
          break;
        case T_BINARY:
          sb.append(NAME[id]).append("=<").append(((byte[]) v).length).append(" bytes>");
          break;
        case T_VBI:
          sb.append("subscriptionIdentifiers=").append(v);
          break;
        case T_PAIR:
          sb.append("userProperties=").append(v);
          break;
        default:
          sb.append(NAME[id]).append('=').append(v);
      }
    }
    return sb.append('}').toString();
  }
}
