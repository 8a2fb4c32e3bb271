package io.tributary.mqtt.codec;

import java.util.Objects;

/**
 * One entry of a SUBSCRIBE: a topic filter and its options. 3.1.1 has only the requested maximum
 * QoS; MQTT 5.0 adds No Local, Retain As Published and Retain Handling (not encoded for 3.1.1).
 */
public final class TopicSubscription {

  /** Retain Handling 0: send retained messages at the time of the subscribe. */
  public static final int SEND_RETAINED = 0;
  /** Retain Handling 1: send retained messages only if the subscription did not exist. */
  public static final int SEND_RETAINED_IF_NEW = 1;
  /** Retain Handling 2: do not send retained messages at the time of the subscribe. */
  public static final int DO_NOT_SEND_RETAINED = 2;

  private final String filter;
  private final int qos;
  private final boolean noLocal;
  private final boolean retainAsPublished;
  private final int retainHandling;

  public TopicSubscription(String filter, int qos) {
    this(filter, qos, false, false, SEND_RETAINED);
  }

  public TopicSubscription(
      String filter, int qos, boolean noLocal, boolean retainAsPublished, int retainHandling) {
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos " + qos);
    }
    if (retainHandling < 0 || retainHandling > 2) {
      throw new IllegalArgumentException("retain handling " + retainHandling);
    }
    this.filter = Objects.requireNonNull(filter, "filter");
    this.qos = qos;
    this.noLocal = noLocal;
    this.retainAsPublished = retainAsPublished;
    this.retainHandling = retainHandling;
  }

  public String filter() {
    return filter;
  }

  /** The requested maximum QoS. */
  public int qos() {
    return qos;
  }

  /** MQTT 5.0: do not deliver this client's own publications to it. */
  public boolean noLocal() {
    return noLocal;
  }

  /** MQTT 5.0: keep the RETAIN flag of forwarded messages as published. */
  public boolean retainAsPublished() {
    return retainAsPublished;
  }

  /** MQTT 5.0: 0, 1 or 2 (see the constants). */
  public int retainHandling() {
    return retainHandling;
  }

  /** The MQTT 5.0 subscription options byte. */
  public int options() {
    return qos | (noLocal ? 0x04 : 0) | (retainAsPublished ? 0x08 : 0) | (retainHandling << 4);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TopicSubscription)) {
      return false;
    }
    TopicSubscription t = (TopicSubscription) o;
    return t.options() == options() && t.filter.equals(filter);
  }

  @Override
  public int hashCode() {
    return filter.hashCode() * 3 + options();
  }

  @Override
  public String toString() {
    if (!noLocal && !retainAsPublished && retainHandling == 0) {
      return filter + "@" + qos;
    }
    return filter + "@" + qos + (noLocal ? ",noLocal" : "")
        + (retainAsPublished ? ",retainAsPublished" : "")
        + (retainHandling != 0 ? ",retainHandling=" + retainHandling : "");
  }
}
