package io.tributary.mqtt.codec;

import io.netty.buffer.Unpooled;
import io.tributary.router.message.MessageMetadata;
import io.tributary.router.message.MetadataCodecs;
import java.nio.ByteBuffer;

/**
 * MQTT 5 PUBLISH properties as the commit log stores them (written by {@link MqttProperties}'s
 * {@code store}: the property length, then the properties, as on the wire) and reads them back:
 * this class registers the reader with {@link MetadataCodecs} when it is first used.
 */
public final class StoredProperties {

  static {
    MetadataCodecs.register(MetadataCodecs.MQTT5, StoredProperties::read);
  }

  private StoredProperties() {
  }

  /**
   * Makes sure the commit log can read stored MQTT 5 properties back (the registration runs with
   * this class's initialisation; the listeners call this before they start).
   */
  public static void register() {
    // the static initialiser above did it
  }

  /**
   * The MQTT 5 properties a message carries: themselves when already decoded, decoded from their
   * stored bytes when the message was read from the log before the reader was registered, else null.
   */
  public static MqttProperties of(MessageMetadata metadata) {
    if (metadata instanceof MqttProperties p) {
      return p;
    }
    if (metadata instanceof MetadataCodecs.Raw raw && raw.storedKind() == MetadataCodecs.MQTT5) {
      return read(ByteBuffer.wrap(raw.bytes()), 0, raw.bytes().length);
    }
    return null;
  }

  /** Reads the stored form: a property length, then PUBLISH properties. */
  static MqttProperties read(ByteBuffer src, int position, int length) {
    byte[] copy = new byte[length];
    src.get(position, copy);
    WireReader r = new WireReader(false, 5);
    r.start(Unpooled.wrappedBuffer(copy), 0, length);
    try {
      return PropertiesDecoder.read(r, "stored PUBLISH", PropertyIds.ALLOWED_PUBLISH, false);
    } catch (MqttCodecException e) {
      throw new IllegalStateException("stored MQTT 5 properties do not decode: " + e.getMessage(), e);
    }
  }
}
