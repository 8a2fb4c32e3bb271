package io.tributary.bench.load;

/** The broker sent something the load generator does not expect; the run fails with it. */
final class MqttProtocolException extends Exception {

  MqttProtocolException(String message) {
    super(message, null, false, false);
  }
}
