package io.tributary.mqtt.codec;

import java.util.Objects;

/** One entry of a SUBSCRIBE: a topic filter and the requested maximum QoS (5.0 options later). */
public final class TopicSubscription {

  private final String filter;
  private final int qos;

  public TopicSubscription(String filter, int qos) {
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos " + qos);
    }
    this.filter = Objects.requireNonNull(filter, "filter");
    this.qos = qos;
  }

  public String filter() {
    return filter;
  }

  public int qos() {
    return qos;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopicSubscription
        && ((TopicSubscription) o).qos == qos
        && ((TopicSubscription) o).filter.equals(filter);
  }

  @Override
  public int hashCode() {
    return filter.hashCode() * 3 + qos;
  }

  @Override
  public String toString() {
    return filter + "@" + qos;
  }
}
