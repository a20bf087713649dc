package dev.aether.core.pipeline.remote;

import dev.aether.core.AetherException;
import dev.aether.core.bidder.Objective;
import dev.aether.core.bidder.Requirements;
import dev.aether.core.project.BucketLayout;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * What the coordinator node needs to run the batch besides the bucket's inputs, as the launcher
 * wrote it to {@code state/run.properties}. Nothing secret: the token is made on the coordinator
 * node.
 *
 * @param run this launch's id; the coordinator echoes it in {@code state/result.properties}
 * @param name the project (-N)
 * @param scriptKey the job script's key, {@code script/<file>}
 * @param processors cores one job uses (-P)
 * @param memoryGb memory one job uses (-M)
 * @param maxAttempts runs a job gets
 * @param restart forget the earlier run
 * @param port the coordinator's port on its node
 * @param objective, riskStep, maxCost how the plan was bid, so that replacements for interrupted
 *     nodes are bid the same way (with the prices in {@link BucketLayout#CATALOG})
 * @param joinDeadline how long a worker has to join the coordinator before it is ended
 * @param spotAttempts after this many spot interruptions a job's next attempt is on-demand
 * @param jobTimeout the run time after which a job is killed (--job-timeout), when given
 */
record RunManifest(String run, String name, String scriptKey, int processors, double memoryGb,
    int maxAttempts, boolean restart, int port, Objective objective,
    BigDecimal riskStep, Optional<BigDecimal> maxCost, Duration joinDeadline,
    java.util.OptionalInt spotAttempts, Optional<Duration> jobTimeout) {
  private static final String KEY = BucketLayout.RUN_MANIFEST;
  /** For a manifest written before the deadline was: ten minutes. */
  static final Duration DEFAULT_JOIN_DEADLINE = Duration.ofMinutes(10);


  /** The requirements the plan was bid with, for replacements of interrupted nodes. */
  Requirements requirements() {
    return Requirements.of(processors, memoryGb, 1).withBid(objective, riskStep, maxCost);
  }

  byte[] bytes() {
    Properties p = new Properties();
    p.setProperty("run", run);
    p.setProperty("name", name);
    p.setProperty("script", scriptKey);
    p.setProperty("processors", Integer.toString(processors));
    p.setProperty("memoryGb", Double.toString(memoryGb));
    p.setProperty("maxAttempts", Integer.toString(maxAttempts));
    p.setProperty("restart", Boolean.toString(restart));
    p.setProperty("port", Integer.toString(port));
    p.setProperty("objective", objective.name());
    p.setProperty("riskStep", riskStep.toPlainString());
    maxCost.ifPresent(m -> p.setProperty("maxCost", m.toPlainString()));
    p.setProperty("joinDeadlineSeconds", Long.toString(joinDeadline.toSeconds()));
    spotAttempts.ifPresent(k -> p.setProperty("spotAttempts", Integer.toString(k)));
    jobTimeout.ifPresent(t -> p.setProperty("jobTimeoutMillis", Long.toString(t.toMillis())));
    return store(p);
  }

  static RunManifest parse(byte[] bytes) {
    Properties p = load(bytes);
    try {
      return new RunManifest(req(p, "run"), req(p, "name"), req(p, "script"),
          Integer.parseInt(req(p, "processors")), Double.parseDouble(req(p, "memoryGb")),
          Integer.parseInt(req(p, "maxAttempts")), Boolean.parseBoolean(req(p, "restart")),
          Integer.parseInt(req(p, "port")),
          Objective.valueOf(req(p, "objective")), new BigDecimal(req(p, "riskStep")),
          Optional.ofNullable(p.getProperty("maxCost")).map(BigDecimal::new),
          Optional.ofNullable(p.getProperty("joinDeadlineSeconds")).map(Long::parseLong)
              .map(Duration::ofSeconds).orElse(DEFAULT_JOIN_DEADLINE),
          Optional.ofNullable(p.getProperty("spotAttempts")).map(Integer::parseInt)
              .map(java.util.OptionalInt::of).orElse(java.util.OptionalInt.empty()),
          Optional.ofNullable(p.getProperty("jobTimeoutMillis"))
              .map(ms -> Duration.ofMillis(Long.parseLong(ms))));
    } catch (IllegalArgumentException e) { // NumberFormatException included
      throw new AetherException(AetherException.UNEXPECTED_STATE,
          KEY + " in the bucket is damaged: " + e.getMessage(), e);
    }
  }

  static byte[] store(Properties p) {
    StringWriter w = new StringWriter();
    try {
      p.store(w, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString().getBytes(StandardCharsets.UTF_8);
  }

  static Properties load(byte[] bytes) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  private static String req(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null) {
      throw new AetherException(AetherException.UNEXPECTED_STATE,
          KEY + " in the bucket has no '" + key + "'; run aether again from your machine");
    }
    return v;
  }
}
