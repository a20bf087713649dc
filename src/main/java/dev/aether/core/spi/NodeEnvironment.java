package dev.aether.core.spi;

/**
 * What an agent learns about the node it runs on, from its provider: on a cloud node from the
 * instance metadata service, on this machine or an SSH host from the launcher's options. Closing
 * it stops watching for interruption notices and releases the bucket's clients.
 */
public interface NodeEnvironment extends AutoCloseable {
  /** This node's id, unique in the pipeline (on AWS its instance id). */
  String nodeId();

  /** This node's address as jobs see it ({@code $6}). */
  String address();

  int cores();

  double memoryGb();

  /** The project bucket, as this node reaches it. */
  Storage storage();

  /** Where this node hears that it is about to be taken away. */
  InterruptionNotices interruptionNotices();

  @Override
  void close();

  /**
   * A node's environment as a provider found it; its size is what {@code options} say (--cores,
   * --memory-gb), else this machine's.
   *
   * @param release what closing it releases (notices watched, the bucket's clients)
   */
  static NodeEnvironment of(String nodeId, String address, NodeOptions options, Storage storage,
      InterruptionNotices notices, Runnable release) {
    return new Found(nodeId, address, options.cores().orElseGet(ThisMachine::cores),
        options.memoryGb().orElseGet(ThisMachine::memoryGb), storage, notices, release);
  }

  /** See {@link #of}. */
  record Found(String nodeId, String address, int cores, double memoryGb, Storage storage,
      InterruptionNotices interruptionNotices, Runnable release) implements NodeEnvironment {
    @Override
    public void close() {
      release.run();
    }
  }
}
