package dev.aether.core.pipeline.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One node's share of the batch as the ledger has it: the jobs it runs now (its leases) and the
 * jobs it ended (DONE, or FAILED on its last attempt). A job a node started but lost (its lease
 * expired, it went to another node) counts for the node that holds or ended it.
 *
 * @param node the id the node registered under
 * @param running numbers of the jobs it holds a lease on, in job order
 * @param done how many jobs it ran to exit 0
 * @param failed how many jobs failed for good on it
 */
public record NodeJobs(String node, List<Integer> running, int done, int failed) {
  public NodeJobs {
    running = List.copyOf(running);
  }

  /** Every node the ledger names, by node id. */
  public static List<NodeJobs> of(JobLedger ledger) {
    Map<String, List<Integer>> running = new TreeMap<>();
    Map<String, int[]> ended = new TreeMap<>();
    for (Job j : ledger.jobs(JobState.LEASED)) {
      j.node().ifPresent(n -> running.computeIfAbsent(n, k -> new ArrayList<>()).add(j.number()));
    }
    for (JobState s : List.of(JobState.DONE, JobState.FAILED)) {
      for (Job j : ledger.jobs(s)) {
        j.node().ifPresent(n -> ended.computeIfAbsent(n, k -> new int[2])[s == JobState.DONE
            ? 0 : 1]++);
      }
    }
    TreeMap<String, NodeJobs> all = new TreeMap<>();
    running.forEach((n, jobs) -> all.put(n, new NodeJobs(n, jobs, 0, 0)));
    ended.forEach((n, c) -> all.merge(n, new NodeJobs(n, List.of(), c[0], c[1]),
        (a, b) -> new NodeJobs(n, a.running(), b.done(), b.failed())));
    return List.copyOf(all.values());
  }
}
