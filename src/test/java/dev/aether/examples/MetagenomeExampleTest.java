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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The metagenome assembly example ({@code examples/metagenome_assembly}): its job script really
 * assembles and annotates every sample of the shipped data set, and refuses bad args lines.
 *
 * <p>Expectations come from the simulator's ground truth ({@code data/truth.tsv}), never from
 * numbers written here. The samples are assembled through {@code aether} on the local provider;
 * the script's own contract (bad args lines, {@code s3://} inputs) is checked by running it
 * directly, in a working directory laid out as Aether's agent lays it out ({@link #runJob}).
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
  void assemblesAndAnnotatesEachSampleThroughAether(String argsLine) throws Exception {
    assumeToolsInstalled();
    String sample = sampleOf(argsLine);
    List<TruthRow> truth = truth().stream().filter(row -> row.sample().equals(sample)).toList();
    assertThat(truth).as("truth.tsv rows for %s", sample).isNotEmpty();
    long simulatedBases = truth.stream().mapToLong(TruthRow::genomeLength).sum();
    int genesPutIn = truth.stream().mapToInt(TruthRow::genes).sum();
    int namedGenesPutIn = truth.stream().mapToInt(TruthRow::namedGenes).sum();

    AetherRun run = aetherRun();

    assertThat(run.exitStatus()).as("aether's exit status; output:%n%s", run.output()).isZero();
    long samples = argsLines().count();
    assertThat(run.output()).contains(samples + " of " + samples + " jobs done");
    assertThat(run.bucket().resolve("../../work/metagenome-demo/ledger.db").normalize())
        .as("the ledger lives under --aether-home, beside the bucket").exists();
    Path results = run.bucket().resolve("output").resolve(sample);
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
  }

  /** The whole example run once through {@code aether} on the local provider. */
  record AetherRun(int exitStatus, String output, Path bucket) {}

  private static AetherRun aetherRun;

  /**
   * Runs the README's command for this example in a child {@code aether} process (no cloud
   * credentials, so the local provider), once for all samples.
   */
  private static synchronized AetherRun aetherRun() throws IOException, InterruptedException {
    if (aetherRun == null) {
      Path home = Files.createTempDirectory("aether-metagenome");
      List<String> command = List.of(
          ProcessHandle.current().info().command().orElse("java"),
          "-cp", System.getProperty("java.class.path"), "dev.aether.cli.Main",
          "-A", EXAMPLE.resolve("args.txt").toString(), "-S", SCRIPT.toString(),
          "-D", DATA.toString(), "-N", "metagenome-demo", "-P", "2", "-M", "1",
          "--provider", "local", "--aether-home", home.toString(),
          "-L", home.resolve("prov.psv").toString());
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] output = p.getInputStream().readAllBytes();
      if (!p.waitFor(JOB_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor();
      }
      aetherRun = new AetherRun(p.exitValue(), new String(output, UTF_8),
          home.resolve("projects/metagenome-demo"));
    }
    return aetherRun;
  }

  @Test
  void fetchesS3InputsAndSendsResultsToS3Prefix() throws Exception {
    assumeToolsInstalled();
    String argsLine = argsLines().skip(1).findFirst().orElseThrow();
    String sample = sampleOf(argsLine);
    // A stand-in `aws` first on PATH: s3://BUCKET/KEY is FAKE_S3/BUCKET/KEY, calls are logged.
    Path fakeS3 = Files.createDirectories(tmp.resolve("fake-s3"));
    Path stubBin = Files.createDirectories(tmp.resolve("stub-bin"));
    Path aws = Files.writeString(stubBin.resolve("aws"), FAKE_AWS, UTF_8);
    aws.toFile().setExecutable(true);
    Path inputs = Files.createDirectories(fakeS3.resolve("reads-bucket/run 1"));
    List<String> urls = new ArrayList<>();
    for (String path : argsLine.split(",")) {
      Path reads = EXAMPLE.resolve(path.strip());
      Files.copy(reads, inputs.resolve(reads.getFileName()));
      urls.add("s3://reads-bucket/run 1/" + reads.getFileName());
    }

    JobResult job = runJob(String.join(",", urls), "s3://results-bucket/output/",
        Map.of("PATH", stubBin + File.pathSeparator + System.getenv("PATH"),
            "FAKE_S3", fakeS3.toString()));

    assertThat(job.exitStatus()).as("exit status; stderr:%n%s", job.stderr()).isZero();
    assertThat(fakeS3.resolve("results-bucket/output/" + sample + "/" + sample + ".contigs.fa"))
        .isNotEmptyFile();
    assertThat(fakeS3.resolve("results-bucket/output/" + sample + "/" + sample + ".gff"))
        .isNotEmptyFile();
    assertThat(Files.readAllLines(fakeS3.resolve("calls.log"), UTF_8))
        .as("aws calls").hasSize(3)
        .allMatch(call -> call.startsWith("s3 cp "))
        .anyMatch(call -> call.startsWith("s3 cp --recursive "));
    assertThat(job.outputFolder()).as("no local output").doesNotExist();
  }

  /** Test stand-in for `aws s3 cp [--recursive] [--only-show-errors] SRC DST`. */
  private static final String FAKE_AWS = """
      #!/usr/bin/env bash
      set -euo pipefail
      printf '%s\n' "$*" >>"$FAKE_S3/calls.log"
      [[ $1 == s3 && $2 == cp ]] || { echo "fake aws: only s3 cp" >&2; exit 64; }
      shift 2
      recursive=false; paths=()
      for a; do
        case $a in
          --recursive) recursive=true ;;
          --only-show-errors) ;;
          -*) echo "fake aws: unknown option $a" >&2; exit 64 ;;
          *) paths+=("$a") ;;
        esac
      done
      (( ${#paths[@]} == 2 )) || { echo "fake aws: need SRC DST" >&2; exit 64; }
      local_path() { if [[ $1 == s3://* ]]; then printf '%s' "$FAKE_S3/${1#s3://}"; else printf '%s' "$1"; fi; }
      src=$(local_path "${paths[0]}"); dst=$(local_path "${paths[1]}")
      if $recursive; then
        mkdir -p "$dst"; cp -R "$src"/. "$dst"/
      else
        [[ -f $src ]] || { echo "fatal error: An error occurred (404) when calling the HeadObject operation" >&2; exit 1; }
        mkdir -p "$(dirname "$dst")"; cp "$src" "$dst"
      fi
      """;

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
   * this node).
   */
  private JobResult runJob(String argsLine) throws IOException, InterruptedException {
    return runJob(argsLine, null, Map.of());
  }

  /**
   * As {@link #runJob(String)}, with OUTPUTFOLDER given (null: a fresh local folder) and extra
   * environment variables for the script.
   */
  private JobResult runJob(String argsLine, String outputFolder, Map<String, String> environment)
      throws IOException, InterruptedException {
    Path run = Files.createTempDirectory(tmp, "job");
    Path work = Files.createDirectories(run.resolve("work"));
    Path bin = Files.createDirectories(work.resolve("bin"));
    Path terminate = Files.writeString(bin.resolve("terminate_job.sh"), "#!/bin/sh\nexit 0\n");
    terminate.toFile().setExecutable(true);
    Files.createSymbolicLink(work.resolve("data"), DATA);
    Path output = run.resolve("output");
    Path stdout = run.resolve("stdout.txt");
    Path stderr = run.resolve("stderr.txt");

    ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString(), argsLine,
        Integer.toString(PROCS), MEMFRAC, "127.0.0.1:0",
        outputFolder == null ? output.toString() : outputFolder, "127.0.0.1")
        .directory(work.toFile())
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile());
    builder.environment().putAll(environment);
    Process process = builder.start();
    if (!process.waitFor(JOB_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor();
      throw new AssertionError("job '" + argsLine + "' ran over " + JOB_TIMEOUT_MINUTES
          + " minutes; stderr:\n" + Files.readString(stderr, UTF_8));
    }
    return new JobResult(process.exitValue(), Files.readString(stdout, UTF_8),
        Files.readString(stderr, UTF_8), work, output);
  }

  private static void assumeToolsInstalled() {
    List<String> missing = Stream.of("megahit", "prokka", "makeblastdb")
        .filter(tool -> !onPath(tool)).toList();
    assumeTrue(missing.isEmpty(), () -> "needs MEGAHIT and Prokka, but not on PATH: "
        + String.join(", ", missing) + "; install them with `sudo tools/install-bio-tools.sh`"
        + " (Debian packages megahit and prokka)");
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
