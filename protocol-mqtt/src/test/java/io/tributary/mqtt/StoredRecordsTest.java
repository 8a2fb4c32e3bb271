package io.tributary.mqtt;

import static io.tributary.mqtt.MqttWire.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.commitlog.CommitLogOptions;
import io.tributary.commitlog.FlushPolicy;
import io.tributary.commitlog.Storage;
import io.tributary.mqtt.codec.MqttProperties;
import io.tributary.mqtt.codec.PacketType;
import io.tributary.mqtt.codec.Publish;
import io.tributary.mqtt.codec.UserProperty;
import io.tributary.router.RouterOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Messages delivered from the log's bytes, not from the publisher's objects: an offline session
 * falls far enough behind that the log must decode what it sends, and every field MQTT 5 forwards
 * comes back as published, on disk (flush always, so PUBACKs wait for fsync) and in memory.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoredRecordsTest {

  /** More than the log keeps as recent values (2,048): the oldest are read back from bytes. */
  private static final int MESSAGES = 3_000;

  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(Storage.class)
  void anOfflineSessionGetsEveryFieldBackFromTheStoredBytes(Storage storage) throws Exception {
    RouterOptions router = new RouterOptions().setLog(new CommitLogOptions().setStorage(storage)
        .setDir(dir.toString()).setSegmentBytes(256 * 1024).setFlush(FlushPolicy.ALWAYS));
    try (TestBroker broker = TestBroker.start(2, new MqttOptions(), router)) {
      try (MqttWire sub = MqttWire.connect5(broker.port(), "stored-sub", true, 3600L)) {
        assertEquals(1, sub.subscribe("stored/#", 1));
        sub.disconnectAndWait();
      }
      try (MqttWire pub = MqttWire.connect5(broker.port(), "stored-pub")) {
        for (int i = 0; i < MESSAGES; i++) {
          MqttProperties props = new MqttProperties().contentType("text/plain").responseTopic("reply/" + i)
              .correlationData(new byte[] {(byte) i, 7}).payloadFormatIndicator(1)
              .userProperties(List.of(new UserProperty("n", Integer.toString(i)), new UserProperty("k", "é")))
              .messageExpiryInterval(3600L);
          pub.publish("stored/" + (i % 7), 1, false, ("m" + i).getBytes(StandardCharsets.UTF_8), props);
          pub.expectAck(PacketType.PUBACK, T);
        }
      }
      assertTrue(broker.broker().log().endOffset() >= MESSAGES);
      try (MqttWire sub = MqttWire.connect5(broker.port(), "stored-sub", false, 3600L)) {
        assertTrue(sub.sessionPresent());
        for (int i = 0; i < MESSAGES; i++) {
          Publish p = sub.nextPublishAcking(T);
          String where = "message " + i;
          assertEquals("stored/" + (i % 7), p.topic(), where);
          assertEquals("m" + i, p.payload().toString(StandardCharsets.UTF_8), where);
          MqttProperties props = p.properties();
          assertEquals("text/plain", props.contentType(), where);
          assertEquals("reply/" + i, props.responseTopic(), where);
          assertEquals(List.of((byte) i, (byte) 7), List.of(props.correlationData()[0], props.correlationData()[1]));
          assertEquals(Integer.valueOf(1), props.payloadFormatIndicator(), where);
          assertEquals(List.of(new UserProperty("n", Integer.toString(i)), new UserProperty("k", "é")),
              props.userProperties(), where);
          long expiry = props.messageExpiryInterval();
          assertTrue(expiry > 3500 && expiry <= 3600, where + ": expiry " + expiry);
        }
      }
    }
  }
}
