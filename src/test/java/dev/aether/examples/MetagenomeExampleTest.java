package dev.aether.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The metagenome assembly example ({@code examples/metagenome_assembly}): its job script really
 * assembles and annotates every sample of the shipped data set, and refuses bad args lines.
 *
 * <p>Expectations come from the simulator's ground truth ({@code data/truth.tsv}), never from
 * numbers written here. For now each job runs the script directly, in a working directory laid out
 * as Aether's agent lays it out; {@link #runJob} is the one place to change to run it through
 * Aether instead.
 */
class MetagenomeExampleTest {

  private static final Path EXAMPLE = Path.of("examples", "metagenome_assembly").toAbsolutePath();
  private static final Path SCRIPT = EXAMPLE.resolve("assemble.sh");
  private static final Path DATA = EXAMPLE.resolve("data");
  private static final int PROCS = 2;
  private static final String MEMFRAC = "0.5";
  private static final long JOB_TIMEOUT_MINUTES = 5;
  private static final int EXIT_INVALID_INPUT = 2;

  @TempDir Path tmp;

  /** One job's outcome: its exit status, what it printed, and where its results should be. */
  record JobResult(int exitStatus, String stdout, String stderr, Path workDir, Path outputFolder) {}

  /** One row of data/truth.tsv: a simulated genome in a sample. */
  record TruthRow(String sample, String genome, long genomeLength, int genes, int namedGenes) {}

  static Stream<String> argsLines() throws IOException {
    return Files.readAllLines(EXAMPLE.resolve("args.txt"), UTF_8).stream()
        .filter(line -> !line.isBlank());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("argsLines")
  void assemblesAndAnnotatesEachSample(String argsLine) throws Exception {
    List<String> missing = Stream.of("megahit", "prokka", "makeblastdb")
        .filter(tool -> !onPath(tool)).toList();
    assumeTrue(missing.isEmpty(), () -> "needs MEGAHIT and Prokka, but not on PATH: "
        + String.join(", ", missing) + "; install them with `sudo tools/install-bio-tools.sh`"
        + " (Debian packages megahit and prokka)");

    String sample = sampleOf(argsLine);
    List<TruthRow> truth = truth().stream().filter(row -> row.sample().equals(sample)).toList();
    assertThat(truth).as("truth.tsv rows for %s", sample).isNotEmpty();
    long simulatedBases = truth.stream().mapToLong(TruthRow::genomeLength).sum();
    int genesPutIn = truth.stream().mapToInt(TruthRow::genes).sum();
    int namedGenesPutIn = truth.stream().mapToInt(TruthRow::namedGenes).sum();

    JobResult job = runJob(argsLine);

    assertThat(job.exitStatus()).as("exit status; stderr:%n%s", job.stderr()).isZero();
    Path results = job.outputFolder().resolve(sample);
    for (String suffix : List.of(".contigs.fa", ".gff", ".faa", ".tsv", ".txt",
        ".megahit.log", ".prokka.log")) {
      assertThat(results.resolve(sample + suffix)).isNotEmptyFile();
    }

    long assembledBases = fastaBases(results.resolve(sample + ".contigs.fa"));
    assertThat(assembledBases).as("assembled bases vs %d simulated", simulatedBases)
        .isBetween(simulatedBases / 2, simulatedBases * 3 / 2);

    List<String[]> cds = gffFeatures(results.resolve(sample + ".gff")).stream()
        .filter(f -> f[2].equals("CDS")).toList();
    assertThat(cds.size()).as("CDS found vs %d genes put in", genesPutIn)
        .isGreaterThanOrEqualTo((genesPutIn + 1) / 2);
    long named = cds.stream()
        .filter(f -> f[8].contains("product=") && !f[8].contains("product=hypothetical protein"))
        .count();
    assertThat(named).as("CDS with a product vs %d named genes put in", namedGenesPutIn)
        .isGreaterThanOrEqualTo((namedGenesPutIn + 1) / 2);

    assertThat(listNames(job.workDir())).as("working directory after the job")
        .containsExactlyInAnyOrder("bin", "data");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      "",
      "data/sampleA_1.fq.gz",
      "data/sampleA_1.fq.gz,data/sampleA_2.fq.gz,data/sampleB_1.fq.gz",
      "data/sampleA_1.fq.gz,data/sampleA_2.fq.gz,",
      ",data/sampleA_2.fq.gz",
      "data/sampleA_1.fq.gz,data/sampleA_1.fq.gz",
      "data/missing_1.fq.gz,data/missing_2.fq.gz",
      "data/sampleA_1.fq.gz\n,data/sampleA_2.fq.gz",
      "$(touch injected)_1.fq.gz,data/sampleA_2.fq.gz",
      "data/sampleA_1.fq.gz;touch injected,data/sampleA_2.fq.gz",
      "`touch injected`,data/sampleA_2.fq.gz",
      "https://example.org/s_1.fq.gz,https://example.org/s_2.fq.gz",
  })
  void rejectsMalformedArgsLineWithExitTwoAndOneLine(String argsLine) throws Exception {
    JobResult job = runJob(argsLine);

    assertThat(job.exitStatus()).as("exit status; stderr:%n%s", job.stderr())
        .isEqualTo(EXIT_INVALID_INPUT);
    List<String> messages = job.stderr().lines().toList();
    assertThat(messages).as("stderr lines").hasSize(1);
    assertThat(messages.get(0)).startsWith("assemble.sh: ");
    assertThat(job.outputFolder()).doesNotExist();
    assertThat(listNames(job.workDir())).as("nothing created or executed in the working directory")
        .containsExactlyInAnyOrder("bin", "data");
  }

  /**
   * Runs one job as Aether's agent does: a fresh working directory holding {@code bin/} and
   * {@code data/}, and the six parameters (args line, PROCS, MEMFRAC, coordinator, OUTPUTFOLDER,
   * this node). To run through Aether instead, replace this body; the tests stay as they are.
   */
  private JobResult runJob(String argsLine) throws IOException, InterruptedException {
    Path run = Files.createTempDirectory(tmp, "job");
    Path work = Files.createDirectories(run.resolve("work"));
    Path bin = Files.createDirectories(work.resolve("bin"));
    Path terminate = Files.writeString(bin.resolve("terminate_job.sh"), "#!/bin/sh\nexit 0\n");
    terminate.toFile().setExecutable(true);
    Files.createSymbolicLink(work.resolve("data"), DATA);
    Path output = run.resolve("output");
    Path stdout = run.resolve("stdout.txt");
    Path stderr = run.resolve("stderr.txt");

    Process process = new ProcessBuilder("bash", SCRIPT.toString(), argsLine,
        Integer.toString(PROCS), MEMFRAC, "127.0.0.1:0", output.toString(), "127.0.0.1")
        .directory(work.toFile())
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile())
        .start();
    if (!process.waitFor(JOB_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor();
      throw new AssertionError("job '" + argsLine + "' ran over " + JOB_TIMEOUT_MINUTES
          + " minutes; stderr:\n" + Files.readString(stderr, UTF_8));
    }
    return new JobResult(process.exitValue(), Files.readString(stdout, UTF_8),
        Files.readString(stderr, UTF_8), work, output);
  }

  /** The sample name assemble.sh derives: READS_1's file name before "_1.fq.gz". */
  private static String sampleOf(String argsLine) {
    String reads1 = argsLine.split(",", -1)[0].trim();
    String name = Path.of(reads1).getFileName().toString();
    assertThat(name).as("READS_1 in args.txt").endsWith("_1.fq.gz");
    return name.substring(0, name.length() - "_1.fq.gz".length());
  }

  private static List<TruthRow> truth() throws IOException {
    List<String> lines = Files.readAllLines(DATA.resolve("truth.tsv"), UTF_8);
    List<String> header = Arrays.asList(lines.get(0).split("\t"));
    Map<String, Integer> column = header.stream()
        .collect(Collectors.toMap(Function.identity(), header::indexOf));
    List<TruthRow> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t");
      rows.add(new TruthRow(f[column.get("sample")], f[column.get("genome")],
          Long.parseLong(f[column.get("genome_length")]), Integer.parseInt(f[column.get("genes")]),
          Integer.parseInt(f[column.get("named_genes")])));
    }
    return rows;
  }

  private static long fastaBases(Path fasta) throws IOException {
    try (Stream<String> lines = Files.lines(fasta, UTF_8)) {
      return lines.filter(line -> !line.startsWith(">")).mapToLong(line -> line.strip().length())
          .sum();
    }
  }

  /** GFF3 feature rows (nine columns), up to the embedded ##FASTA section Prokka appends. */
  private static List<String[]> gffFeatures(Path gff) throws IOException {
    List<String[]> features = new ArrayList<>();
    for (String line : Files.readAllLines(gff, UTF_8)) {
      if (line.startsWith("##FASTA")) {
        break;
      }
      if (!line.startsWith("#") && !line.isBlank()) {
        String[] f = line.split("\t");
        if (f.length == 9) {
          features.add(f);
        }
      }
    }
    return features;
  }

  private static List<String> listNames(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    return Arrays.stream(path.split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
  }
}
