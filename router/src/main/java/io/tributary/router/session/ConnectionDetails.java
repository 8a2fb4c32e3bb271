package io.tributary.router.session;

/**
 * What an operator asks about one live connection (the admin API, the connect log line): where it
 * came in, who it is, how it connected.
 *
 * @param protocol the listener's protocol: mqtt, mqtt-ws, raw-tcp
 * @param protocolVersion MQTT's protocol level (4 = 3.1.1, 5), 0 for devices
 * @param username the login's user name, or null
 * @param connectedAt wall-clock ms the session was bound
 */
public record ConnectionDetails(String listener, String protocol, String remoteAddress, int protocolVersion,
    String username, boolean cleanStart, int keepAliveSeconds, long connectedAt) {}
