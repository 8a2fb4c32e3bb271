package io.tributary.router.security;

/** A password or ACL file that cannot be used; the message names the file and the line. */
public final class AuthFileException extends RuntimeException {

  public AuthFileException(String message) {
    super(message, null, false, false);
  }
}
