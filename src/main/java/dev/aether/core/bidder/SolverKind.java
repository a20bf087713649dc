package dev.aether.core.bidder;

/**
 * The integer-program solver behind the {@link Bidder}, all from OR-Tools. The default was picked
 * by measurement (see docs/bidder.md); the others stay selectable for benchmarks and checks.
 */
public enum SolverKind {
  /** COIN-OR CBC through OR-Tools' linear solver wrapper. */
  CBC,
  /** SCIP through OR-Tools' linear solver wrapper. */
  SCIP,
  /** OR-Tools' CP-SAT, one worker so that equal inputs give equal plans. */
  CP_SAT;

  MilpBackend backend() {
    switch (this) {
      case CBC:
        return new MpSolverBackend("CBC");
      case SCIP:
        return new MpSolverBackend("SCIP");
      default:
        return new CpSatBackend();
    }
  }
}
