package dev.aether.core.pipeline.coordinator;

/**
 * A job handed to a node. {@code attempt} names the lease: it grows by one with every lease of the
 * job and is never handed out twice, not even after a crash of the coordinator (the job reaches
 * its script as {@code AETHER_ATTEMPT}). A heartbeat or a completion for another attempt of the
 * same job is not this lease's and is ignored.
 */
public record Lease(int number, int attempt, String args) {}
