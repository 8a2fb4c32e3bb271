package io.tributary.router.shared;

import io.tributary.router.message.Message;

/** The session side of a membership: takes the messages its group hands it. */
public interface SharedReceiver {

  /** On the member's dispatcher thread: the group handed {@code member} a message. */
  void receiveShared(SharedMember member, Message message);
}
