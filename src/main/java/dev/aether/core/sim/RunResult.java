package dev.aether.core.sim;

/**
 * One simulated run of a batch.
 *
 * @param finished every job is DONE; false when capacity ran out (no node left and none could
 *     be bought) with jobs still to run
 * @param cost dollars paid for every instance from its start to its interruption or the end
 * @param hours hours from the start to the last job's end (to the last event when unfinished)
 * @param interruptions spot instances interrupted
 * @param lostHours job-hours of runs killed by interruptions (they are run again from scratch)
 * @param jobsRerun distinct jobs that had a run killed and ran again
 */
public record RunResult(boolean finished, double cost, double hours, int interruptions,
    double lostHours, int jobsRerun) {}
