package io.tributary.mqtt.codec;

import static io.tributary.mqtt.codec.MqttCodecException.MALFORMED_PACKET;
import static io.tributary.mqtt.codec.MqttCodecException.PROTOCOL_ERROR;

import java.util.ArrayList;
import java.util.List;

/** SUBSCRIBE, UNSUBSCRIBE and their acknowledgements. */
final class SubscribeDecoder {

  private SubscribeDecoder() {}

  static Subscribe subscribe(WireReader r) throws MqttCodecException {
    int packetId = r.readPacketId(PacketType.SUBSCRIBE);
    boolean v5 = r.isV5();
    MqttProperties properties = MqttProperties.EMPTY;
    if (v5) {
      properties = PropertiesDecoder.read(r, PacketType.SUBSCRIBE, PropertyIds.ALLOWED_SUBSCRIBE);
    }
    if (r.pos == r.end) {
      throw new MqttCodecException(PROTOCOL_ERROR, "SUBSCRIBE without any topic filter");
    }
    List<TopicSubscription> subscriptions = new ArrayList<>(4);
    while (r.pos < r.end) {
      String filter = r.readFilter("SUBSCRIBE");
      if (!v5) {
        int options = r.readByte("SUBSCRIBE requested QoS");
        if ((options & 0xFC) != 0) {
          throw new MqttCodecException(
              MALFORMED_PACKET,
              "SUBSCRIBE requested QoS byte for " + WireReader.quote(filter)
                  + " has reserved bits 7-2 set: 0x" + Integer.toHexString(options));
        }
        if (options == 3) {
          throw new MqttCodecException(
              MALFORMED_PACKET, "SUBSCRIBE requested QoS 3 for " + WireReader.quote(filter));
        }
        subscriptions.add(new TopicSubscription(filter, options));
        continue;
      }
      int options = r.readByte("SUBSCRIBE subscription options");
      if ((options & 0xC0) != 0) {
        // [MQTT-3.8.3-5]
        throw new MqttCodecException(
            MALFORMED_PACKET,
            "SUBSCRIBE subscription options for " + WireReader.quote(filter)
                + " have reserved bits 7-6 set: 0x" + Integer.toHexString(options));
      }
      int qos = options & 0x03;
      boolean noLocal = (options & 0x04) != 0;
      boolean retainAsPublished = (options & 0x08) != 0;
      int retainHandling = (options >>> 4) & 0x03;
      if (qos == 3) {
        // 3.8.3.1: "It is a Protocol Error if the Maximum QoS field has the value 3"
        throw new MqttCodecException(
            PROTOCOL_ERROR, "SUBSCRIBE maximum QoS 3 for " + WireReader.quote(filter));
      }
      if (retainHandling == 3) {
        // 3.8.3.1: "It is a Protocol Error to send a Retain Handling value of 3"
        throw new MqttCodecException(
            PROTOCOL_ERROR, "SUBSCRIBE retain handling 3 for " + WireReader.quote(filter));
      }
      if (noLocal && filter.startsWith("$share/")) {
        // [MQTT-3.8.3-4]
        throw new MqttCodecException(
            PROTOCOL_ERROR, "SUBSCRIBE No Local on the shared subscription " + WireReader.quote(filter));
      }
      subscriptions.add(
          new TopicSubscription(filter, qos, noLocal, retainAsPublished, retainHandling));
    }
    return new Subscribe(packetId, subscriptions, properties);
  }

  static Unsubscribe unsubscribe(WireReader r) throws MqttCodecException {
    int packetId = r.readPacketId(PacketType.UNSUBSCRIBE);
    MqttProperties properties = MqttProperties.EMPTY;
    if (r.isV5()) {
      properties = PropertiesDecoder.read(r, PacketType.UNSUBSCRIBE, PropertyIds.ALLOWED_UNSUBSCRIBE);
    }
    if (r.pos == r.end) {
      throw new MqttCodecException(PROTOCOL_ERROR, "UNSUBSCRIBE without any topic filter");
    }
    List<String> filters = new ArrayList<>(4);
    while (r.pos < r.end) {
      filters.add(r.readFilter("UNSUBSCRIBE"));
    }
    return new Unsubscribe(packetId, filters, properties);
  }

  static SubAck subAck(WireReader r) throws MqttCodecException {
    int packetId = r.readPacketId(PacketType.SUBACK);
    boolean v5 = r.isV5();
    MqttProperties properties = MqttProperties.EMPTY;
    if (v5) {
      properties = PropertiesDecoder.read(r, PacketType.SUBACK, PropertyIds.ALLOWED_ACK);
    }
    if (r.pos == r.end) {
      throw new MqttCodecException(PROTOCOL_ERROR, "SUBACK without any return code");
    }
    List<Integer> codes = new ArrayList<>(r.end - r.pos);
    while (r.pos < r.end) {
      int rc = r.readByte("SUBACK return code");
      if (v5) {
        WireReader.checkReasonCode(PacketType.SUBACK, rc);
      } else if (rc > 2 && rc != SubAck.FAILURE) {
        throw new MqttCodecException(
            MALFORMED_PACKET, "SUBACK return code 0x" + Integer.toHexString(rc) + " is reserved");
      }
      codes.add(rc);
    }
    return new SubAck(packetId, codes, properties);
  }

  /** 5.0 only: properties, then one reason code per filter. */
  static UnsubAck unsubAck(WireReader r) throws MqttCodecException {
    int packetId = r.readPacketId(PacketType.UNSUBACK);
    MqttProperties properties = PropertiesDecoder.read(r, PacketType.UNSUBACK, PropertyIds.ALLOWED_ACK);
    if (r.pos == r.end) {
      throw new MqttCodecException(PROTOCOL_ERROR, "UNSUBACK without any reason code");
    }
    List<Integer> codes = new ArrayList<>(r.end - r.pos);
    while (r.pos < r.end) {
      int rc = r.readByte("UNSUBACK reason code");
      WireReader.checkReasonCode(PacketType.UNSUBACK, rc);
      codes.add(rc);
    }
    return new UnsubAck(packetId, codes, properties);
  }
}
