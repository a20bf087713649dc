package dev.aether.bench;

import dev.aether.core.bidder.Bidder;
import dev.aether.core.bidder.ModelExport;
import dev.aether.core.bidder.Objective;
import dev.aether.core.bidder.Plan;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.bidder.SolverKind;
import dev.aether.core.catalog.CatalogCsv;
import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark of the bidder (run by bench/bidder.sh; not a test): plan time per solver inside the
 * JVM after warm-up, cbc and glpsol on the exported model as separate processes, and the cost of
 * our plan against {@link LegacyBidder2017}. Prints Markdown tables.
 *
 * <p>Arguments: {@code CATALOG_CSV [REGION] [RUNS] [OUT_DIR] [SOLVERS]}; SOLVERS is a
 * comma-separated subset of CBC,SCIP,CP_SAT.
 */
public final class BidderBench {
  private static final Pattern CBC_OBJECTIVE = Pattern.compile("Objective value:\\s+(\\S+)");
  private static final Pattern GLPK_OBJECTIVE =
      Pattern.compile("Objective:\\s+cost = (\\S+) \\(MINimum\\)");
  private static final int EXTERNAL_TIMEOUT_S = 300;

  record Scenario(String name, Requirements req, List<Offer> offers, Limits limits, int runs) {}

  public static void main(String[] args) throws Exception {
    Path csv = Path.of(args.length > 0 ? args[0]
        : "src/main/resources/dev/aether/core/catalog/aws-snapshot.csv");
    String region = args.length > 1 ? args[1] : "us-east-1";
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Path out = Path.of(args.length > 3 ? args[3] : "target/bench-bidder");
    List<SolverKind> solvers = args.length > 4
        ? Arrays.stream(args[4].split(",")).map(SolverKind::valueOf).toList()
        : List.of(SolverKind.values());
    Files.createDirectories(out);

    List<Offer> regional = CatalogCsv.read(csv).inRegion(region).offers();
    SyntheticCatalog synthetic = SyntheticCatalog.of(2017, 1000, 6);
    List<Scenario> scenarios = List.of(
        new Scenario(region + " P=2 M=4 S=8", Requirements.of(2, 4, 8), regional, Limits.NONE,
            runs),
        new Scenario(region + " P=4 M=16 S=100", Requirements.of(4, 16, 100), regional,
            Limits.NONE, runs),
        new Scenario(region + " P=1 M=2 S=1000", Requirements.of(1, 2, 1000), regional,
            Limits.NONE, runs),
        new Scenario("synthetic 1000x6x2 P=2 M=4 S=500", Requirements.of(2, 4, 500),
            synthetic.offers(), synthetic.limits(), Math.max(1, runs / 2)),
        // Exact risk bound (step 0): stage 2 is tight, so the harder case for a solver.
        new Scenario("synthetic 1000x6x2 P=4 M=16 S=700 step 0",
            new Requirements(4, 16, 700, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Objective.SEED, BigDecimal.ZERO),
            synthetic.offers(), synthetic.limits(), Math.max(1, runs / 2)));

    System.out.printf(Locale.ROOT, "Catalog %s, region %s: %d offers; synthetic: %d offers.%n%n",
        csv, region, regional.size(), synthetic.offers().size());
    System.out.println("## Plan time (ms, median inside the JVM after warm-up; seed objective,"
        + " risk step $1 unless said)\n");
    StringBuilder header = new StringBuilder("| scenario |");
    StringBuilder rule = new StringBuilder("|---|");
    for (SolverKind s : solvers) {
      header.append(' ').append(s).append(" |");
      rule.append("---:|");
    }
    header.append(" cbc process | glpsol process | $/hour |");
    rule.append("---:|---:|---:|");
    System.out.println(header);
    System.out.println(rule);
    List<String> legacyRows = new ArrayList<>();
    for (Scenario sc : scenarios) {
      StringBuilder row = new StringBuilder("| " + sc.name() + " |");
      BigDecimal cost = null;
      for (SolverKind kind : solvers) {
        Bidder bidder = new Bidder(kind);
        Plan plan = bidder.solve(sc.req(), sc.offers(), sc.limits()); // warm-up
        long[] nanos = new long[sc.runs()];
        for (int r = 0; r < sc.runs(); r++) {
          long start = System.nanoTime();
          plan = bidder.solve(sc.req(), sc.offers(), sc.limits());
          nanos[r] = System.nanoTime() - start;
        }
        if (cost != null && cost.compareTo(plan.hourlyCost()) != 0) {
          throw new IllegalStateException(sc.name() + ": " + kind + " found $" + plan.hourlyCost()
              + " but another solver $" + cost);
        }
        cost = plan.hourlyCost();
        row.append(String.format(Locale.ROOT, " %.1f |", median(nanos) / 1e6));
      }
      String file = sc.name().replaceAll("[^A-Za-z0-9]+", "_");
      Path lp = out.resolve(file + ".lp");
      Path mps = out.resolve(file + ".mps");
      ModelExport.write(sc.req(), sc.offers(), sc.limits(), lp);
      ModelExport.write(sc.req(), sc.offers(), sc.limits(), mps);
      row.append(external(CBC_OBJECTIVE, null, cost, "cbc", lp.toString(), "solve"));
      Path sol = out.resolve(file + ".glpk.txt");
      row.append(external(GLPK_OBJECTIVE, sol, cost, "glpsol", "--lp", lp.toString(),
          "--tmlim", String.valueOf(EXTERNAL_TIMEOUT_S), "-o", sol.toString()));
      row.append(" ").append(cost.toPlainString()).append(" |");
      System.out.println(row);

      Plan ours = new Bidder().solve(sc.req(), sc.offers(), sc.limits());
      LegacyBidder2017.Result legacy = new LegacyBidder2017().run(sc.req(), sc.offers(),
          sc.limits());
      legacyRows.add(String.format(Locale.ROOT, "| %s | %s | %d | %s | %d | %s | %s |",
          sc.name(), ours.hourlyCost().toPlainString(), ours.slots(),
          legacy.hourlyCost().toPlainString(), legacy.slots(), yes(legacy.meetsSlots()),
          yes(legacy.meetsAllConstraints())));
    }
    System.out.println("\n## Our plan vs the 2017 algorithm (LP relaxation, fractional types"
        + " dropped)\n");
    System.out.println("| scenario | ours $/hour | ours slots | 2017 $/hour | 2017 slots |"
        + " 2017 meets slots | 2017 meets all rows |");
    System.out.println("|---|---:|---:|---:|---:|---|---|");
    legacyRows.forEach(System.out::println);
  }

  /** Wall time of one solver process in ms, checked against our optimum; "-" if absent. */
  private static String external(Pattern objective, Path output, BigDecimal expected,
      String... command) throws IOException, InterruptedException {
    Path exe = Path.of("/usr/bin", command[0]);
    if (!Files.isExecutable(exe)) {
      return " - |";
    }
    long start = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(EXTERNAL_TIMEOUT_S + 30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return " timeout |";
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    if (output != null) {
      text = Files.readString(output);
    }
    Matcher m = objective.matcher(text);
    String check = !m.find() ? " (no objective)"
        : Math.abs(Double.parseDouble(m.group(1)) - expected.doubleValue()) < 1e-6 ? ""
        : " (objective " + m.group(1) + "!)";
    return " " + ms + check + " |";
  }

  private static String yes(boolean b) {
    return b ? "yes" : "no";
  }

  private static double median(long[] values) {
    long[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
  }
}
