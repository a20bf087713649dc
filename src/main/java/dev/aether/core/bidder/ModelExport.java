package dev.aether.core.bidder;

import dev.aether.core.catalog.Offer;
import dev.aether.core.limits.Limits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Writes the bidder's cost model to a file that independent solvers read ({@code cbc FILE solve},
 * {@code glpsol --lp FILE} or {@code glpsol --freemps FILE}), to check a plan or compare solvers.
 *
 * <p>The model written is the one whose optimum the plan attains: for {@link Objective#SEED} the
 * stage-2 model with the rounded risk bound B (stage 1 is solved to find it), for {@link
 * Objective#COST} the cost model, for {@link Objective#EXPECTED} the expected-cost model. The
 * objective is in dollars per hour (expected dollars per hour for EXPECTED), so its optimum equals
 * {@link Plan#hourlyCost()} (for EXPECTED, the plan's sum of count x {@link
 * ExpectedCost#hourly}); the rows keep the solver's integer units (money in micro-dollars, RAM and
 * storage in thousandths), which a header comment states. The pool-share bound is written as
 * variable bounds. Tie-break stages are not written: they do not change the optimum.
 */
public final class ModelExport {
  /** Terms per line: LP readers limit line length (CPLEX to 510 characters). */
  private static final int TERMS_PER_LINE = 4;

  private ModelExport() {}

  /**
   * Writes the model as CPLEX LP if {@code file} ends in {@code .lp}, as free MPS if it ends in
   * {@code .mps}.
   *
   * @throws IllegalArgumentException for any other extension (checked before solving)
   * @throws InfeasibleException if stage 1 of the seed objective has no solution
   */
  public static void write(Requirements req, List<Offer> offers, Limits limits, Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean lp = name.endsWith(".lp");
    if (!lp && !name.endsWith(".mps")) {
      int dot = name.lastIndexOf('.');
      throw new IllegalArgumentException(
          "cannot tell the model format from the extension "
              + (dot < 0 ? "(none)" : "'" + name.substring(dot) + "'") + " of " + file
              + ": use .lp (CPLEX LP) or .mps (free MPS)");
    }
    BidModel model = BidModel.of(req, offers, limits);
    OptionalLong bound = new Bidder().riskBoundMicros(model);
    IntegerProgram program = Bidder.withRisk(model, bound);
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
      if (lp) {
        writeLp(model, program, out);
      } else {
        writeMps(model, program, out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the model to " + file, e);
    }
  }

  private static void writeLp(BidModel model, IntegerProgram program, Writer out)
      throws IOException {
    List<String> names = model.variableNames();
    out.write("\\ Aether bidder model (" + model.requirements().objective().name().toLowerCase(
        Locale.ROOT) + "). Objective: " + unit(model) + ". Rows: slots and cores as\n\\"
        + " counted, RAM and storage in thousandths of a GiB/GB, risk and budget in"
        + " micro-dollars/hour.\n");
    out.write("Minimize\n cost:");
    for (int i = 0; i < names.size(); i++) {
      out.write(sep(i) + " " + (i == 0 ? "" : "+ ") + price(model, i) + " " + names.get(i));
    }
    out.write("\nSubject To\n");
    for (LinearRow row : program.rows()) {
      out.write(" " + row.name() + ":");
      int[] vars = row.vars();
      long[] coefs = row.coefs();
      for (int j = 0; j < vars.length; j++) {
        out.write(sep(j) + " " + (j == 0 ? "" : "+ ") + coefs[j] + " " + names.get(vars[j]));
      }
      out.write((row.sense() == LinearRow.Sense.AT_LEAST ? " >= " : " <= ") + row.rhs() + "\n");
    }
    out.write("Bounds\n");
    long[] ub = program.upperBounds();
    for (int i = 0; i < names.size(); i++) {
      out.write(ub[i] == IntegerProgram.UNBOUNDED
          ? " " + names.get(i) + " >= 0\n"
          : " 0 <= " + names.get(i) + " <= " + ub[i] + "\n");
    }
    out.write("General\n");
    for (int i = 0; i < names.size(); i++) {
      out.write(" " + names.get(i) + (i % TERMS_PER_LINE == TERMS_PER_LINE - 1 ? "\n" : ""));
    }
    out.write("\nEnd\n");
  }

  private static String sep(int i) {
    // The objective's first term needs no "+"; a line break between terms keeps lines short.
    return i > 0 && i % TERMS_PER_LINE == 0 ? "\n  " : "";
  }

  private static void writeMps(BidModel model, IntegerProgram program, Writer out)
      throws IOException {
    List<String> names = model.variableNames();
    List<LinearRow> rows = program.rows();
    out.write("* Aether bidder model (" + model.requirements().objective().name().toLowerCase(
        Locale.ROOT) + "). Objective: " + unit(model) + ". Rows: slots and cores as\n*"
        + " counted, RAM and storage in thousandths of a GiB/GB, risk and budget in"
        + " micro-dollars/hour.\n");
    out.write("NAME aether_bidder\nROWS\n N cost\n");
    for (LinearRow row : rows) {
      out.write((row.sense() == LinearRow.Sense.AT_LEAST ? " G " : " L ") + row.name() + "\n");
    }
    // Column-major: gather each variable's coefficients across rows.
    int n = names.size();
    List<StringBuilder> columns = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      columns.add(new StringBuilder(
          " " + names.get(i) + " cost " + price(model, i) + "\n"));
    }
    for (LinearRow row : rows) {
      int[] vars = row.vars();
      long[] coefs = row.coefs();
      for (int j = 0; j < vars.length; j++) {
        if (coefs[j] != 0) {
          columns.get(vars[j]).append(" " + names.get(vars[j]) + " " + row.name() + " "
              + coefs[j] + "\n");
        }
      }
    }
    out.write("COLUMNS\n MARKER 'MARKER' 'INTORG'\n");
    for (StringBuilder column : columns) {
      out.write(column.toString());
    }
    out.write(" MARKER 'MARKER' 'INTEND'\nRHS\n");
    for (LinearRow row : rows) {
      out.write(" RHS " + row.name() + " " + row.rhs() + "\n");
    }
    out.write("BOUNDS\n");
    long[] ub = program.upperBounds();
    for (int i = 0; i < n; i++) {
      // Explicit bounds: some MPS readers take an unbounded integer column as binary.
      out.write(ub[i] == IntegerProgram.UNBOUNDED
          ? " PL BND " + names.get(i) + "\n"
          : " UP BND " + names.get(i) + " " + ub[i] + "\n");
    }
    out.write("ENDATA\n");
  }

  /** The objective coefficient the solver used (micro-dollars), written in dollars. */
  private static String price(BidModel model, int i) {
    long micros = model.requirements().objective() == Objective.EXPECTED
        ? model.expectedMicros(i) : model.priceMicros(i);
    return BidModel.dollars(micros).toPlainString();
  }

  private static String unit(BidModel model) {
    return model.requirements().objective() == Objective.EXPECTED ? "expected $/hour"
        : "$/hour";
  }
}
