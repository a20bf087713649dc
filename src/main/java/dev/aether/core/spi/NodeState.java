package dev.aether.core.spi;

/**
 * Where a node is in its life, in the provider boundary's words. Each provider maps its vendor's
 * states onto these in one table (EC2 instance states, Slurm job states, Azure power states,
 * a local process alive or not), so that "waiting for the end" and "every node has stopped" key
 * on the same four words everywhere.
 */
public enum NodeState {
  /** Asked for, not yet running: an EC2 instance booting, a Slurm job waiting in the queue. */
  PENDING,
  /** Running (its agent may or may not have registered yet). */
  RUNNING,
  /** On its way out: shutting down, completing, being evicted or deallocated. */
  STOPPING,
  /** Gone: terminated, completed, cancelled, failed or preempted; it runs nothing any more. */
  GONE;

  /** True while the node may still run (or come to run) jobs. */
  public boolean alive() {
    return this == PENDING || this == RUNNING;
  }
}
