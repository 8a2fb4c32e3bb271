package io.tributary.router;

/** What a broker that is one node of a cluster tells operators about the cluster (metrics). */
public interface ClusterStatus {

  /** A broker on its own. */
  ClusterStatus NONE = new ClusterStatus() {
    @Override
    public int members() {
      return 1;
    }

    @Override
    public long forwardLag() {
      return 0;
    }
  };

  /** Members of the cluster now, this node included. Any thread. */
  int members();

  /** Records of this node's log not yet sent to the nodes that are to get them, summed over nodes. Any thread. */
  long forwardLag();
}
