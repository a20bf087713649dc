package dev.aether.cli;

import dev.aether.core.bidder.Plan;
import java.util.Optional;

/**
 * The bidder's plan with what the report compares it to.
 *
 * @param request the checked inputs
 * @param plan the chosen plan
 * @param allOnDemand the cheapest plan for the same slots using on-demand offers only, when one
 *     exists
 * @param slotsCapped true when the limits allowed fewer slots than jobs, so jobs will queue
 */
record BidOutcome(BidRequest request, Plan plan, Optional<Plan> allOnDemand, boolean slotsCapped) {}
