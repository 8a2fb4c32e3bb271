package io.tributary.bench.load;

/** A load run could not be set up or failed while it ran (the message says which client and why). */
public class LoadException extends Exception {

  public LoadException(String message) {
    super(message);
  }

  public LoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
