package io.tributary.launcher;

/** A configuration that cannot start the broker; the message names the key. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message, null, false, false);
  }

  /** Throws a ConfigException naming key when ok is false. */
  static void check(boolean ok, String key, String problem) {
    if (!ok) {
      throw new ConfigException("configuration key '" + key + "': " + problem);
    }
  }

  /** Runs an options setter; the options classes own their ranges, their complaint is reported under key. */
  static void option(String key, Runnable setter) {
    try {
      setter.run();
    } catch (IllegalArgumentException e) {
      throw new ConfigException("configuration key '" + key + "': " + e.getMessage());
    }
  }
}
