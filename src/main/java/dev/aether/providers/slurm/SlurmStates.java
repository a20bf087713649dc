package dev.aether.providers.slurm;

import dev.aether.core.AetherException;
import dev.aether.core.spi.NodeState;
import java.util.Map;
import java.util.Set;

/**
 * The one table from Slurm job states (an agent job is a node) to the provider boundary's
 * {@link NodeState}.
 *
 * <p>The names are those {@code squeue --format=%T} prints: Slurm's twelve base states, or, when
 * one of twelve state flags is set, the flag's name instead (Slurm's {@code job_state_string}).
 * See <a href="https://slurm.schedmd.com/squeue.html#SECTION_JOB-STATE-CODES">squeue: job state
 * codes</a> and <a href="https://slurm.schedmd.com/job_state_codes.html">Job State Codes</a>.
 *
 * <p>The rule behind the table: a node is {@link NodeState#PENDING} while Slurm may still start
 * (or restart) it, {@link NodeState#RUNNING} while it holds an allocation that can run work,
 * {@link NodeState#STOPPING} while its processes are on their way out, and {@link NodeState#GONE}
 * once it will never run again. A pending job is a node that has not started, never a dead one.
 */
final class SlurmStates {
  private SlurmStates() {}

  private static final Map<String, NodeState> TABLE = Map.ofEntries(
      // Base states.
      Map.entry("PENDING", NodeState.PENDING),
      Map.entry("RUNNING", NodeState.RUNNING),
      // Suspended (by preemption or scontrol suspend): the job keeps its allocation and resumes
      // where it was. Its agent is frozen, so its leases expire and the coordinator gives those
      // jobs to others; the node itself is not dead.
      Map.entry("SUSPENDED", NodeState.RUNNING),
      Map.entry("COMPLETED", NodeState.GONE),
      Map.entry("CANCELLED", NodeState.GONE),
      Map.entry("FAILED", NodeState.GONE),
      Map.entry("TIMEOUT", NodeState.GONE),
      Map.entry("NODE_FAIL", NodeState.GONE),
      // Preempted and ended (PreemptMode=CANCEL): like a reclaimed spot node. With
      // PreemptMode=REQUEUE squeue shows REQUEUED and then PENDING instead.
      Map.entry("PREEMPTED", NodeState.GONE),
      Map.entry("BOOT_FAIL", NodeState.GONE),
      // Not started before its --deadline: it never will.
      Map.entry("DEADLINE", NodeState.GONE),
      Map.entry("OUT_OF_MEMORY", NodeState.GONE),
      // State flags, which squeue prints in place of the base state.
      // The job's processes are being ended (epilog, kill): on its way out.
      Map.entry("COMPLETING", NodeState.STOPPING),
      // Its processes have ended; only a burst buffer stage-out is left.
      Map.entry("STAGE_OUT", NodeState.STOPPING),
      // Allocated, waiting for its nodes to boot (power saving, cloud nodes): like an EC2
      // instance booting, asked for and not yet running.
      Map.entry("CONFIGURING", NodeState.PENDING),
      // Its allocation grows or shrinks; it keeps running.
      Map.entry("RESIZING", NodeState.RUNNING),
      // Requeued (preemption with PreemptMode=REQUEUE, scontrol requeue, node failure with
      // JobRequeue): this incarnation ends and the same job id queues again, so the node comes
      // back, with a fresh agent.
      Map.entry("REQUEUED", NodeState.PENDING),
      Map.entry("REQUEUE_FED", NodeState.PENDING),
      // Requeued and held, held after its reservation was deleted, or requeued in a held state
      // by an epilog: queued until someone releases it. Held is still pending (the batch's end
      // cancels it); Slurm gives no sign that it will stay held.
      Map.entry("REQUEUE_HOLD", NodeState.PENDING),
      Map.entry("RESV_DEL_HOLD", NodeState.PENDING),
      Map.entry("SPECIAL_EXIT", NodeState.PENDING),
      // Stopped with SIGSTOP, keeping its CPUs: frozen like SUSPENDED, and resumes with SIGCONT.
      Map.entry("STOPPED", NodeState.RUNNING),
      // A signal to it is on its way (--signal before the time limit, scancel --signal); it is
      // still running. A cancel shows as CANCELLED/COMPLETING, not as this.
      Map.entry("SIGNALING", NodeState.RUNNING),
      // Federation: another cluster started this job, so this cluster's copy will never run.
      Map.entry("REVOKED", NodeState.GONE));

  /**
   * The node state of a Slurm job state as squeue prints it.
   *
   * @throws AetherException for a state this table does not know (a newer Slurm, or output that
   *     is not a state): guessing GONE would drop a live node, guessing alive would wait forever
   */
  static NodeState toNodeState(String jobId, String slurmState) {
    NodeState state = TABLE.get(slurmState.strip());
    if (state == null) {
      throw new AetherException(AetherException.UNEXPECTED_STATE,
          "squeue reports job " + jobId + " in state '" + slurmState.strip()
              + "', which Aether does not know (it knows " + TABLE.size()
              + " states of https://slurm.schedmd.com/job_state_codes.html); please report "
              + "this with the output of 'sbatch --version'");
    }
    return state;
  }

  /** Every Slurm state name the table maps. */
  static Set<String> known() {
    return TABLE.keySet();
  }
}
