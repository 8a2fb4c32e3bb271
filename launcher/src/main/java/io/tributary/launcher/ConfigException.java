package io.tributary.launcher;

/** A configuration that cannot start the broker; the message names the key. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
