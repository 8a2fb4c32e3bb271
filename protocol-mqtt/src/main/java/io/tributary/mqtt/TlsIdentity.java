package io.tributary.mqtt;

import io.tributary.mqtt.codec.Connect;

/**
 * What a listener takes from the CN of a client's TLS certificate ({@code tls.identity}), which
 * the handshake verified: nothing, the user name (Mosquitto's {@code use_identity_as_username}: no
 * password is asked, the certificate is the credential), or the client id (whatever the CONNECT
 * said; an MQTT 5 client is told the id it got).
 */
public enum TlsIdentity {
  NONE("none"), USERNAME("username"), CLIENT_ID("clientId");

  private final String key;

  TlsIdentity(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }

  /** From the config's spelling; IllegalArgumentException for anything else. */
  public static TlsIdentity of(String key) {
    for (TlsIdentity i : values()) {
      if (i.key.equals(key)) {
        return i;
      }
    }
    throw new IllegalArgumentException("must be none, username or clientId, was " + key);
  }

  /**
   * The CONNECT as the certificate says; null when this identity needs a certificate CN the client
   * did not show (the connection is then refused as not authorized).
   */
  Connect apply(Connect c, String commonName) {
    if (this == NONE) {
      return c;
    }
    if (commonName == null) {
      return null;
    }
    return this == USERNAME
        ? new Connect(c.protocolLevel(), c.protocolName(), c.clientId(), c.cleanSession(), c.keepAliveSeconds(),
            commonName, null, c.will(), c.properties())
        : new Connect(c.protocolLevel(), c.protocolName(), commonName, c.cleanSession(), c.keepAliveSeconds(),
            c.username(), c.password(), c.will(), c.properties());
  }
}
