package io.tributary.mqtt;

import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Paho v5's callback for tests (here and, through the test jar, in other modules): what arrives,
 * and the DISCONNECT the broker sent; Paho's other events are ignored.
 */
public final class Paho5Callback {

  private Paho5Callback() {
  }

  public static MqttCallback of(BiConsumer<String, MqttMessage> messages,
      Consumer<MqttDisconnectResponse> disconnects) {
    return new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse response) {
        disconnects.accept(response);
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
