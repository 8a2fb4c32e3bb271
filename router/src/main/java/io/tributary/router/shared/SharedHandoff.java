package io.tributary.router.shared;

import io.tributary.router.message.Message;

/**
 * One message a {@link SharedGroup} handed to one member: it travels through the member's inbox
 * and session until it is done with ({@link #done}: written at QoS 0, acknowledged, discarded) or
 * goes back to the group ({@link #giveBack}) for another member. It also carries the span of the
 * group's log it came from, so the group knows which records are still out when it saves its
 * position.
 */
public final class SharedHandoff {

  private final SharedMember member;
  private final Message message;
  final SharedGroup.Span span;

  SharedHandoff(SharedMember member, Message message, SharedGroup.Span span) {
    this.member = member;
    this.message = message;
    this.span = span;
  }

  public SharedMember member() {
    return member;
  }

  public Message message() {
    return message;
  }

  /** The member is done with the message: its credit comes back and the record is no longer out. */
  public void done() {
    span.completed();
    member.release();
  }

  /** Not delivered (the member left): the group gives the message to another member first. */
  public void giveBack() {
    member.group().giveBack(this);
  }
}
