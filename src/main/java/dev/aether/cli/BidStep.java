package dev.aether.cli;

import dev.aether.core.bidder.Bidder;
import dev.aether.core.bidder.InfeasibleException;
import dev.aether.core.bidder.ModelExport;
import dev.aether.core.bidder.Objective;
import dev.aether.core.bidder.Plan;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.catalog.Market;
import dev.aether.core.catalog.Offer;
import java.util.List;
import java.util.Optional;

/** Runs the bidder for a checked request, and the all-on-demand plan the report compares with. */
final class BidStep {
  private BidStep() {}

  static BidOutcome bid(BidRequest request) {
    Bidder bidder = new Bidder();
    List<Offer> offers = request.catalog().offers();
    Requirements req = request.baseRequirements();
    boolean capped = false;
    // Without --concurrency the seed runs every job at once; when the account limits allow
    // fewer slots, run as many as they allow and let the rest of the jobs queue.
    if (request.concurrency().isEmpty()) {
      int allowed = bidder.maxSlots(req, offers, request.limits());
      if (allowed > 0 && allowed < req.slots()) {
        req = req.withSlots(allowed);
        capped = true;
      }
    }
    if (request.exportModel().isPresent()) {
      ModelExport.write(req, offers, request.limits(), request.exportModel().get());
    }
    Plan plan = bidder.solve(req, offers, request.limits());
    Optional<Plan> onDemand;
    try {
      List<Offer> onDemandOffers =
          offers.stream().filter(o -> o.market() == Market.ON_DEMAND).toList();
      Requirements cost = req.withSlots(plan.slots())
          .withBid(Objective.COST, req.riskStep(), Optional.empty())
          .withBatch(req.jobs(), req.hoursPerJob(), Optional.empty())
          .withMaxPoolShare(java.math.BigDecimal.ONE);
      onDemand = Optional.of(bidder.solve(cost, onDemandOffers, request.limits()));
    } catch (InfeasibleException e) {
      onDemand = Optional.empty(); // the limits leave no all-on-demand plan to compare with
    }
    return new BidOutcome(request, plan, onDemand, capped);
  }
}
