package io.tributary.router;

/**
 * Protocol metadata kept with a {@link Message} says how much heap it holds, so log retention
 * counts what a message costs in memory, not only its payload.
 */
public interface HeapSized {

  /** An estimate, in bytes, of the heap this object and what only it references take. */
  int heapBytes();
}
