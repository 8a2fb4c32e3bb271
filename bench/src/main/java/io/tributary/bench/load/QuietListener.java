package io.tributary.bench.load;

import io.netty.buffer.ByteBuf;

/** For connections that should hear nothing but CONNACK: anything else fails the run. */
final class QuietListener implements BenchConnection.Listener {

  private final java.util.function.Consumer<String> failure;

  QuietListener(java.util.function.Consumer<String> failure) {
    this.failure = failure;
  }

  @Override
  public void onPublish(BenchConnection c, ByteBuf buf, int index, int length) throws MqttProtocolException {
    throw new MqttProtocolException("unexpected PUBLISH on a connection without subscriptions");
  }

  @Override
  public void onPubAck(BenchConnection c) throws MqttProtocolException {
    throw new MqttProtocolException("unexpected PUBACK on a connection that did not publish");
  }

  @Override
  public void onReadComplete(BenchConnection c) {
  }

  @Override
  public void onFailure(BenchConnection c, String message) {
    failure.accept(message);
  }
}
