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
}
