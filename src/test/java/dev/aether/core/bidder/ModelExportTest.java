package dev.aether.core.bidder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelExportTest {
  private static final Path CBC = Path.of("/usr/bin/cbc");
  private static final Path GLPSOL = Path.of("/usr/bin/glpsol");
  private static final Pattern CBC_OBJECTIVE = Pattern.compile("Objective value:\\s+(\\S+)");
  private static final Pattern GLPK_OBJECTIVE =
      Pattern.compile("Objective:\\s+cost = (\\S+) \\(MINimum\\)");

  @TempDir Path dir;

  static Stream<Arguments> cases() {
    return LongStream.of(3, 8, 21, 34)
        .boxed()
        .flatMap(seed -> Stream.of(Objective.SEED, Objective.COST)
            .map(o -> SmallCase.of(seed, o)))
        .filter(c -> new BruteForce(c.requirements(), c.offers(), c.limits()).optimum()
            .isPresent())
        .flatMap(c -> Stream.of(Arguments.of(c, "model.lp"), Arguments.of(c, "model.mps")));
  }

  @ParameterizedTest(name = "{1}: seed {0}")
  @MethodSource("cases")
  void cbcFindsThePlansCostAsTheExportedModelsOptimum(SmallCase c, String file)
      throws Exception {
    assumeTrue(Files.isExecutable(CBC), "cbc is not installed at " + CBC);
    Path model = dir.resolve(file);
    ModelExport.write(c.requirements(), c.offers(), c.limits(), model);

    String out = run(CBC.toString(), model.toString(), "solve");

    assertThat(out).contains("Optimal solution found");
    assertThat(objective(CBC_OBJECTIVE, out))
        .isCloseTo(planCost(c), org.assertj.core.data.Offset.offset(1e-6));
  }

  @ParameterizedTest(name = "{1}: seed {0}")
  @MethodSource("cases")
  void glpsolFindsThePlansCostAsTheExportedModelsOptimum(SmallCase c, String file)
      throws Exception {
    assumeTrue(Files.isExecutable(GLPSOL), "glpsol is not installed at " + GLPSOL);
    Path model = dir.resolve(file);
    Path solution = dir.resolve("solution.txt");
    ModelExport.write(c.requirements(), c.offers(), c.limits(), model);

    run(GLPSOL.toString(), file.endsWith(".lp") ? "--lp" : "--freemps", model.toString(),
        "-o", solution.toString());

    String out = Files.readString(solution, StandardCharsets.US_ASCII);
    assertThat(out).contains("INTEGER OPTIMAL");
    assertThat(objective(GLPK_OBJECTIVE, out))
        .isCloseTo(planCost(c), org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void variableNamesAreReadableOfferKeys() throws IOException {
    Path model = dir.resolve("names.lp");
    ModelExport.write(
        BidderTest.requirements(2, 4, 3, Objective.COST, BigDecimal.ZERO, null),
        List.of(BidderTest.offer(new dev.aether.core.catalog.InstanceType(
            "c5.large", 2, 4, 0, "x86_64"), "use1-az1", dev.aether.core.catalog.Market.SPOT,
            "0.03", null)),
        dev.aether.core.limits.Limits.NONE, model);

    assertThat(Files.readString(model)).contains("x_c5_large_use1_az1_spot");
  }

  @ParameterizedTest
  @ValueSource(strings = {"model.txt", "model", "model.lp.gz"})
  void rejectsFilesThatAreNeitherLpNorMps(String name) {
    Path file = dir.resolve(name);
    SmallCase c = SmallCase.of(1, Objective.COST);

    assertThatThrownBy(() -> ModelExport.write(c.requirements(), c.offers(), c.limits(), file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(name.contains(".") ? name.substring(name.lastIndexOf('.')) : "none");
    assertThat(file).doesNotExist();
  }

  private static double planCost(SmallCase c) {
    return new Bidder().solve(c.requirements(), c.offers(), c.limits()).hourlyCost()
        .doubleValue();
  }

  private static double objective(Pattern pattern, String out) {
    Matcher m = pattern.matcher(out);
    assertThat(m.find()).as("objective in solver output:%n%s", out).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out;
  }
}
