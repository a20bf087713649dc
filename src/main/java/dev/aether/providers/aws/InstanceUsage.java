package dev.aether.providers.aws;

import dev.aether.core.catalog.Market;
import dev.aether.core.plan.ProvisioningFile;
import dev.aether.core.plan.RunCost;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/** EC2's view of one instance's life, as {@link RunCost} needs it. */
final class InstanceUsage {
  /**
   * A stopped or terminated instance's state transition reason ends with when it happened, e.g.
   * {@code User initiated (2016-05-25 21:53:33 GMT)}. See
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Instance.html
   */
  private static final Pattern WHEN = Pattern.compile("\\((\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}) GMT\\)");
  private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private InstanceUsage() {}

  static RunCost.Usage of(Instance i, Instant now) {
    boolean spot = i.instanceLifecycle() == InstanceLifecycleType.SPOT;
    Optional<String> zone = Optional.ofNullable(i.placement()).map(p -> p.availabilityZone());
    var line = i.tags().stream().filter(t -> Tags.INSTANCE.equals(t.key())).findFirst()
        .flatMap(t -> ProvisioningFile.parseTag(t.value(), AwsProvider.NAME));
    return new RunCost.Usage(i.instanceTypeAsString(), spot ? Market.SPOT : Market.ON_DEMAND, zone,
        i.launchTime() == null ? now : i.launchTime(), ended(i, now),
        line.flatMap(l -> l.bid()));
  }

  private static Optional<Instant> ended(Instance i, Instant now) {
    InstanceStateName state = i.state() == null ? null : i.state().name();
    if (state == InstanceStateName.PENDING || state == InstanceStateName.RUNNING
        || state == InstanceStateName.SHUTTING_DOWN || state == InstanceStateName.STOPPING) {
      return Optional.empty();
    }
    Matcher m = WHEN.matcher(String.valueOf(i.stateTransitionReason()));
    if (m.find()) {
      try {
        return Optional.of(LocalDateTime.parse(m.group(1), FORMAT).toInstant(ZoneOffset.UTC));
      } catch (DateTimeParseException e) {
        // fall through: counted until now, an overestimate
      }
    }
    return Optional.empty();
  }
}
