package io.tributary.router.security;

/** A password file that cannot be used; the message names the file and the line. */
public final class PasswordFileException extends RuntimeException {

  public PasswordFileException(String message) {
    super(message, null, false, false);
  }
}
