package io.tributary.tcp;

/**
 * Checks a device's first-frame identification {@code id[:token]}. The authentication layer
 * plugs in here; until it exists every device is accepted ({@link #ACCEPT_ALL}). Called on the
 * connection's event loop: it must not block.
 */
@FunctionalInterface
public interface DeviceAuthenticator {

  DeviceAuthenticator ACCEPT_ALL = (id, token, remoteAddress) -> true;

  /**
   * @param id the device id
   * @param token what followed the first ':' of the first frame, or null when there was none
   * @param remoteAddress the peer, for logs and address-based rules
   * @return whether the device may connect
   */
  boolean check(String id, String token, String remoteAddress);
}
