package dev.aether.core.bidder;

import java.util.Optional;

/** Solves an {@link IntegerProgram} to proven optimality (gap 0) for one linear objective. */
interface MilpBackend {
  /**
   * The values of an optimal solution minimising {@code sum objective[i] * x_i}, or empty if the
   * program is infeasible.
   *
   * @throws dev.aether.core.AetherException (internal) if the solver stops without an answer
   */
  Optional<long[]> minimise(IntegerProgram program, long[] objective);
}
