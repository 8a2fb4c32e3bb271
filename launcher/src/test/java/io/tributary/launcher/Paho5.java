package io.tributary.launcher;

import java.util.function.BiConsumer;
import java.util.function.IntConsumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** Paho v5's callback for tests: what arrives, and the reason code of a DISCONNECT from the broker. */
final class Paho5 {

  private Paho5() {
  }

  static MqttCallback callback(BiConsumer<String, MqttMessage> messages, IntConsumer disconnects) {
    return new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse response) {
        disconnects.accept(response.getReturnCode());
      }

      @Override
      public void mqttErrorOccurred(MqttException exception) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        messages.accept(topic, message);
      }

      @Override
      public void deliveryComplete(IMqttToken token) {
      }

      @Override
      public void connectComplete(boolean reconnect, String serverURI) {
      }

      @Override
      public void authPacketArrived(int reasonCode, MqttProperties properties) {
      }
    };
  }
}
