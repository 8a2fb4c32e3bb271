package io.tributary.mqtt.auth;

/**
 * What the broker knows about a connection when an authentication starts.
 *
 * @param method the Authentication Method of the CONNECT
 * @param clientId the client identifier (the assigned one when the client sent an empty one)
 * @param username the CONNECT's User Name, or null
 * @param remoteAddress the client's address, as text
 * @param reauthentication false for the CONNECT's authentication, true for one the connected
 *     client started with AUTH 0x19
 */
public record AuthRequest(
    String method, String clientId, String username, String remoteAddress, boolean reauthentication) {}
