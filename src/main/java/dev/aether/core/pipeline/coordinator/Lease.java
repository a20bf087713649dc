package dev.aether.core.pipeline.coordinator;

/**
 * A job handed to a node. {@code attempt} identifies the lease: a heartbeat or a completion for an
 * older attempt of the same job is not this lease's and is ignored.
 */
public record Lease(int number, int attempt, String args) {}
