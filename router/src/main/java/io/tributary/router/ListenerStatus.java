package io.tributary.router;

/** One listener of the broker as {@code GET /health} reports it: up while bound on every event loop. */
public record ListenerStatus(String name, String protocol, String address, boolean up) {}
