package io.tributary.router.shared;

/** The session side of a membership: takes the messages its group hands it. */
public interface SharedReceiver {

  /** On the member's dispatcher thread: the group handed {@code handoff.member()} a message. */
  void receiveShared(SharedHandoff handoff);
}
