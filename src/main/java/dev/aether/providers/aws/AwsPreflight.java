package dev.aether.providers.aws;

import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.limits.Limits;
import dev.aether.core.limits.QuotaKey;
import dev.aether.core.plan.ProvisionedInstance;
import dev.aether.core.spi.CheckResult;
import dev.aether.core.spi.Preflight;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AvailabilityZone;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.InstanceInterruptionBehavior;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.SpotInstanceType;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.ContextEntry;
import software.amazon.awssdk.services.iam.model.ContextKeyTypeEnum;
import software.amazon.awssdk.services.iam.model.EvaluationResult;
import software.amazon.awssdk.services.iam.model.InstanceProfile;
import software.amazon.awssdk.services.iam.model.PolicyEvaluationDecisionType;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * {@code aether check} on AWS: whether a run could start on this account, before anything costs
 * money. One result per check, in the order a user fixes them: credentials and account, region,
 * default VPC and the subnets of the plan's zones, the two instance profiles and what their roles
 * may do, the spot service-linked role (created here when the credentials may: it is free and
 * once per account), vCPU quotas against the plan (less what already runs, plus the coordinator
 * node), {@code RunInstances} with {@code DryRun=true} for each pool of the plan and for the
 * coordinator node, and the project bucket. Everything else only reads.
 *
 * <p>The dry runs use this machine's credentials; the coordinator node starts the workers with
 * its role, whose permissions are checked by IAM's policy simulator instead.
 */
final class AwsPreflight implements Preflight {
  static final String SPOT_ROLE = "AWSServiceRoleForEC2Spot";
  static final String ROLES_DOC = "docs/aws.md#roles";

  private final AwsClients clients;
  private final AwsProvider.Settings settings;

  AwsPreflight(AwsClients clients, AwsProvider.Settings settings) {
    this.clients = clients;
    this.settings = settings;
  }

  @Override
  public List<CheckResult> run(Request request) {
    List<CheckResult> out = new ArrayList<>();
    try (StsClient sts = clients.sts(); Ec2Client ec2 = clients.ec2(); IamClient iam = clients.iam();
        SsmClient ssm = clients.ssm()) {
      Optional<GetCallerIdentityResponse> me = credentials(sts, out);
      if (me.isEmpty()) {
        return out; // nothing else can be asked without credentials
      }
      if (!region(ec2, out)) {
        return out;
      }
      Optional<DefaultNetwork> network = network(ec2, out);
      network.ifPresent(n -> subnets(n, request.plan(), out));
      Optional<String> workerRole = profile(iam, "worker", settings.instanceProfile(), out);
      Optional<String> coordinatorRole = profile(iam, "coordinator",
          settings.coordinatorProfile(), out);
      Context context = new Context(me.get().account(), request.project(),
          workerRole.orElse("arn:aws:iam::" + me.get().account() + ":role/"
              + settings.instanceProfile()));
      coordinatorRole.ifPresent(arn -> coordinatorMayDo(iam, arn, context, out));
      workerRole.ifPresent(arn -> workerMayDo(iam, arn, context, out));
      spotRole(iam, out);
      quotas(request, out);
      network.ifPresent(n -> dryRuns(ec2, ssm, n, request, out));
      request.project().ifPresent(p -> bucket(p, out));
    }
    return out;
  }

  // ---- credentials and region

  private Optional<GetCallerIdentityResponse> credentials(StsClient sts, List<CheckResult> out) {
    try {
      GetCallerIdentityResponse me = sts.getCallerIdentity();
      out.add(CheckResult.pass("credentials", "account " + me.account() + " as " + me.arn()));
      return Optional.of(me);
    } catch (SdkException e) {
      out.add(CheckResult.fail("credentials", "AWS did not accept them or none were found ("
          + AwsErrors.said(e) + ")", "set them up with `aws configure` (or AWS_PROFILE, SSO),"
          + " then `aws sts get-caller-identity` must answer"));
      return Optional.empty();
    }
  }

  private boolean region(Ec2Client ec2, List<CheckResult> out) {
    try {
      List<AvailabilityZone> zones = ec2.describeAvailabilityZones().availabilityZones();
      out.add(CheckResult.pass("region", clients.region() + ": zones " + zones.stream()
          .map(z -> z.zoneName() + " (" + z.zoneId() + ")").collect(Collectors.joining(", "))));
      return true;
    } catch (SdkException e) {
      out.add(CheckResult.fail("region", clients.region() + " does not answer ("
          + AwsErrors.said(e) + ")", "enable the region for the account (opt-in regions), or"
          + " choose another with -R"));
      return false;
    }
  }

  // ---- network

  private Optional<DefaultNetwork> network(Ec2Client ec2, List<CheckResult> out) {
    try {
      Optional<DefaultNetwork> n = DefaultNetwork.find(ec2);
      if (n.isEmpty()) {
        out.add(CheckResult.fail("default VPC", "none in " + clients.region() + " (nodes start"
            + " in it)", "`" + DefaultNetwork.CREATE_VPC + "`, or choose another region with -R"));
      } else {
        out.add(CheckResult.pass("default VPC", n.get().vpcId() + " (" + n.get().cidr()
            + "), default subnets in " + (n.get().subnets().isEmpty() ? "no zone"
            : n.get().subnets().stream().map(DefaultNetwork.Subnet::zone)
                .collect(Collectors.joining(", ")))));
      }
      return n;
    } catch (SdkException e) {
      out.add(CheckResult.fail("default VPC", "cannot be read (" + AwsErrors.said(e) + ")",
          "allow ec2:DescribeVpcs and ec2:DescribeSubnets (" + ROLES_DOC + ")"));
      return Optional.empty();
    }
  }

  private static void subnets(DefaultNetwork network, List<ProvisionedInstance> plan,
      List<CheckResult> out) {
    Set<String> zones = plan.stream().flatMap(i -> i.zone().stream()).filter(z -> !z.isBlank())
        .collect(Collectors.toCollection(java.util.TreeSet::new));
    if (network.subnets().isEmpty()) {
      out.add(CheckResult.fail("subnets", "the default VPC has no default subnet in any zone",
          "`" + DefaultNetwork.createSubnet("ZONE") + "` for each zone you want to use"));
      return;
    }
    if (zones.isEmpty()) {
      return;
    }
    List<String> missing = zones.stream().filter(z -> network.inZone(z).isEmpty()).toList();
    if (missing.isEmpty()) {
      out.add(CheckResult.pass("subnets", "the plan's zones " + String.join(", ", zones)
          + " have default subnets"));
    } else {
      out.add(CheckResult.warn("subnets", "no default subnet in " + String.join(", ", missing)
          + " (instances planned there are planned again in other zones)",
          missing.stream().map(z -> "`" + DefaultNetwork.createSubnet(z) + "`")
              .collect(Collectors.joining(", "))));
    }
  }

  // ---- roles

  /** The role ARN of the instance profile, when it exists and has one. */
  private Optional<String> profile(IamClient iam, String who, String name, List<CheckResult> out) {
    String check = who + " instance profile";
    try {
      InstanceProfile p = iam.getInstanceProfile(b -> b.instanceProfileName(name))
          .instanceProfile();
      if (p.roles().isEmpty()) {
        out.add(CheckResult.fail(check, name + " has no role", "`aws iam"
            + " add-role-to-instance-profile --instance-profile-name " + name
            + " --role-name " + name + "` (" + ROLES_DOC + ")"));
        return Optional.empty();
      }
      out.add(CheckResult.pass(check, name + " with role " + p.roles().get(0).roleName()));
      return Optional.of(p.roles().get(0).arn());
    } catch (SdkException e) {
      if ("NoSuchEntity".equals(AwsErrors.code(e))) {
        out.add(CheckResult.fail(check, name + " does not exist", "create the " + who
            + " role and profile as in " + ROLES_DOC + " (or name yours with "
            + (who.equals("worker") ? "--instance-profile" : "--coordinator-profile") + ")"));
      } else {
        out.add(CheckResult.warn(check, "could not be read (" + AwsErrors.said(e) + ")",
            "allow iam:GetInstanceProfile to check it, or make sure " + name + " exists as in "
                + ROLES_DOC));
      }
      return Optional.empty();
    }
  }

  /** What the check asks IAM's simulator about, and the values its conditions look at. */
  private record Context(String account, Optional<String> project, String workerRoleArn) {
    List<ContextEntry> entries() {
      String p = project.orElse("example");
      return List.of(entry("aws:ResourceTag/" + Tags.PROJECT, p),
          entry("aws:RequestTag/" + Tags.PROJECT, p), entry("ec2:CreateAction", "RunInstances"),
          entry("iam:PassedToService", "ec2.amazonaws.com"));
    }

    private static ContextEntry entry(String key, String value) {
      return ContextEntry.builder().contextKeyName(key).contextKeyType(ContextKeyTypeEnum.STRING)
          .contextKeyValues(value).build();
    }

    String object(String key) {
      return "arn:aws:s3:::" + project.orElseThrow() + "/" + key;
    }
  }

  private void coordinatorMayDo(IamClient iam, String roleArn, Context c,
      List<CheckResult> out) {
    Map<String, String> needed = new LinkedHashMap<>();
    needed.put("ec2:RunInstances", "*");
    needed.put("ec2:CreateTags", "*");
    needed.put("ec2:TerminateInstances", "*");
    needed.put("ec2:DescribeInstances", "*");
    needed.put("ec2:GetConsoleOutput", "*");
    needed.put("iam:PassRole", c.workerRoleArn());
    c.project().ifPresent(p -> {
      needed.put("s3:GetObject", c.object("args.txt"));
      needed.put("s3:PutObject", c.object("state/ledger.db"));
      needed.put("s3:DeleteObject", c.object(UserData.TOKEN_KEY));
    });
    simulate(iam, "coordinator role", roleArn, needed, Map.of(), c, out);
  }

  private void workerMayDo(IamClient iam, String roleArn, Context c, List<CheckResult> out) {
    Map<String, String> needed = new LinkedHashMap<>();
    Map<String, String> forbidden = new LinkedHashMap<>();
    c.project().ifPresent(p -> {
      needed.put("s3:GetObject", c.object(UserData.TOKEN_KEY));
      needed.put("s3:PutObject", c.object("output/x"));
    });
    // least privilege: a job script can use the worker's role, so it must not start machines
    forbidden.put("ec2:RunInstances", "*");
    forbidden.put("iam:PassRole", c.workerRoleArn());
    simulate(iam, "worker role", roleArn, needed, forbidden, c, out);
  }

  private static void simulate(IamClient iam, String check, String roleArn,
      Map<String, String> needed, Map<String, String> forbidden, Context c,
      List<CheckResult> out) {
    Map<String, String> all = new LinkedHashMap<>(needed);
    all.putAll(forbidden);
    List<String> denied = new ArrayList<>();
    List<String> allowedButShouldNot = new ArrayList<>();
    try {
      for (Map.Entry<String, String> a : all.entrySet()) {
        List<EvaluationResult> results = iam.simulatePrincipalPolicy(b -> b
                .policySourceArn(roleArn).actionNames(a.getKey()).resourceArns(a.getValue())
                .contextEntries(c.entries()))
            .evaluationResults();
        boolean allowed = !results.isEmpty() && results.stream()
            .allMatch(r -> r.evalDecision() == PolicyEvaluationDecisionType.ALLOWED);
        if (needed.containsKey(a.getKey()) && !allowed) {
          denied.add(a.getKey());
        } else if (forbidden.containsKey(a.getKey()) && allowed) {
          allowedButShouldNot.add(a.getKey());
        }
      }
    } catch (SdkException e) {
      out.add(CheckResult.warn(check, "what " + roleArn + " may do could not be checked ("
          + AwsErrors.said(e) + ")", "allow iam:SimulatePrincipalPolicy to check it, and compare"
          + " its policy with " + ROLES_DOC));
      return;
    }
    if (!denied.isEmpty()) {
      out.add(CheckResult.fail(check, roleArn + " may not " + String.join(", ", denied),
          "give it the policy in " + ROLES_DOC));
    } else if (!allowedButShouldNot.isEmpty()) {
      out.add(CheckResult.warn(check, roleArn + " may " + String.join(", ", allowedButShouldNot)
          + ", which job scripts on its nodes could use too",
          "give it only the policy in " + ROLES_DOC));
    } else {
      out.add(CheckResult.pass(check, roleArn + " may do what it needs"
          + (forbidden.isEmpty() ? "" : " and no more of what was checked")));
    }
  }

  /**
   * EC2 needs the spot service-linked role before it starts the first spot instance. It is
   * made by the first spot request of a caller allowed to create it; the coordinator node's role
   * is not, so it is made here. See
   * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/service-linked-roles-spot-instance-requests.html
   */
  private static void spotRole(IamClient iam, List<CheckResult> out) {
    String check = "spot service-linked role";
    try {
      iam.getRole(b -> b.roleName(SPOT_ROLE));
      out.add(CheckResult.pass(check, SPOT_ROLE + " exists"));
      return;
    } catch (SdkException e) {
      if (!"NoSuchEntity".equals(AwsErrors.code(e))) {
        out.add(CheckResult.warn(check, "could not be read (" + AwsErrors.said(e) + ")",
            "if spot launches fail, run `" + AwsErrors.CREATE_SPOT_ROLE + "` once"));
        return;
      }
    }
    try {
      iam.createServiceLinkedRole(b -> b.awsServiceName("spot.amazonaws.com"));
      out.add(CheckResult.fixed(check, SPOT_ROLE + " was missing and has been created (once per"
          + " account, free)"));
    } catch (SdkException e) {
      out.add(CheckResult.fail(check, SPOT_ROLE + " is missing and these credentials may not"
          + " create it (" + AwsErrors.said(e) + "); every spot launch would fail",
          "`" + AwsErrors.CREATE_SPOT_ROLE + "` once, as an administrator"));
    }
  }

  // ---- quotas

  /**
   * The plan's vCPUs per quota (class and market), plus the coordinator node's, against each
   * quota less what runs now. Fails only when not even the coordinator node, or not one of the
   * plan's nodes, fits: otherwise the run starts on what fits and plans the rest elsewhere.
   */
  private void quotas(Request request, List<CheckResult> out) {
    String check = "vCPU quotas";
    Map<String, InstanceType> types = new HashMap<>();
    request.catalog().offers().forEach(o -> types.putIfAbsent(o.type().name(), o.type()));
    QuotaKey coordinator = new QuotaKey("standard", Market.ON_DEMAND);
    Map<QuotaKey, Integer> need = new LinkedHashMap<>();
    Map<QuotaKey, Integer> smallest = new HashMap<>();
    need.put(coordinator, AwsProject.COORDINATOR_VCPUS);
    for (ProvisionedInstance i : request.plan()) {
      QuotaKey key = new QuotaKey(Optional.ofNullable(types.get(i.type()))
          .map(InstanceType::quotaClass).orElse("standard"),
          i.biddable() ? Market.SPOT : Market.ON_DEMAND);
      need.merge(key, i.processors(), Integer::sum);
      smallest.merge(key, i.processors(), Math::min);
    }
    Limits quotas;
    Map<QuotaKey, Integer> running;
    try {
      AwsLimits limits = new AwsLimits(clients);
      quotas = limits.read();
      running = limits.running();
    } catch (RuntimeException e) {
      out.add(CheckResult.warn(check, "could not be read (" + e.getMessage() + ")",
          "allow servicequotas:ListServiceQuotas and ec2:DescribeInstances to check them"));
      return;
    }
    List<String> lines = new ArrayList<>();
    List<String> fixes = new ArrayList<>();
    boolean coordinatorFits = true;
    boolean someWorkerFits = request.plan().isEmpty();
    boolean allFit = true;
    for (Map.Entry<QuotaKey, Integer> n : need.entrySet()) {
      QuotaKey key = n.getKey();
      int used = running.getOrDefault(key, 0);
      Optional<Integer> quota = quotas.vcpuQuota(key.quotaClass(), key.market());
      int free = quota.map(q -> Math.max(0, q - used)).orElse(Integer.MAX_VALUE);
      lines.add(key.quotaClass() + " " + key.market().label() + " " + n.getValue() + " of "
          + quota.map(q -> q + " (" + used + " in use)").orElse("unlimited"));
      int forWorkers = free;
      if (key.equals(coordinator)) {
        coordinatorFits = free >= AwsProject.COORDINATOR_VCPUS;
        forWorkers = free - AwsProject.COORDINATOR_VCPUS;
      }
      if (smallest.containsKey(key) && forWorkers >= smallest.get(key)) {
        someWorkerFits = true;
      }
      if (n.getValue() > free) {
        allFit = false;
        fixes.add(increase(key, used + n.getValue()));
      }
    }
    String detail = "the run needs " + String.join("; ", lines) + " vCPUs";
    if (!coordinatorFits || !someWorkerFits) {
      out.add(CheckResult.fail(check, detail + " (" + (coordinatorFits ? "not one of the plan's"
          + " nodes fits" : "not even the coordinator node fits") + ")", String.join(", ", fixes)));
    } else if (!allFit) {
      out.add(CheckResult.warn(check, detail + " (the run starts on what fits and plans the"
          + " rest in other pools)", String.join(", ", fixes)));
    } else {
      out.add(CheckResult.pass(check, detail));
    }
  }

  private static String increase(QuotaKey key, int vcpus) {
    Optional<String> code = QuotaNames.CODES.entrySet().stream()
        .filter(e -> e.getValue().equals(key)).map(Map.Entry::getKey).findFirst();
    return code.map(c -> "`aws service-quotas request-service-quota-increase --service-code ec2"
            + " --quota-code " + c + " --desired-value " + vcpus + "`")
        .orElse("ask for " + vcpus + " " + key.quotaClass() + " " + key.market().label()
            + " vCPUs in the Service Quotas console");
  }

  // ---- dry runs

  /** One {@code RunInstances} with {@code DryRun=true} per pool of the plan, and the coordinator. */
  private void dryRuns(Ec2Client ec2, SsmClient ssm, DefaultNetwork network, Request request,
      List<CheckResult> out) {
    Map<String, ProvisionedInstance> pools = new LinkedHashMap<>();
    ProvisionedInstance coordinator = AwsProject.coordinatorTypes(request.catalog()).get(0);
    pools.put("coordinator node " + coordinator.type() + " (on-demand)", coordinator);
    for (ProvisionedInstance i : request.plan()) {
      pools.putIfAbsent(i.type() + " (" + (i.biddable() ? "spot" : "on-demand")
          + i.zone().map(z -> ", " + z).orElse("") + ")", i);
    }
    Map<String, Optional<String>> images = new HashMap<>();
    for (Map.Entry<String, ProvisionedInstance> pool : pools.entrySet()) {
      String check = "dry run " + pool.getKey();
      ProvisionedInstance i = pool.getValue();
      boolean isCoordinator = i == coordinator;
      try {
        if (!UnbootableTypes.bootable(i.type())) {
          out.add(CheckResult.fail(check, UnbootableTypes.WHY, "plan without " + i.type()));
          continue;
        }
        String arch = ec2.describeInstanceTypes(b -> b.instanceTypesWithStrings(i.type()))
            .instanceTypes().stream().findFirst().flatMap(InstanceTypesReader::toInstanceType)
            .map(InstanceType::arch).orElse("x86_64");
        Optional<String> image = images.computeIfAbsent(arch, a -> {
          try {
            return Optional.of(new AmiLookup(ssm).imageFor(a));
          } catch (SdkException e) {
            return Optional.empty();
          }
        });
        if (image.isEmpty()) {
          out.add(CheckResult.fail(check, "the Amazon Linux 2023 image for " + arch
              + " cannot be looked up", "allow ssm:GetParameter on " + AmiLookup.PARAMETER + "*"));
          continue;
        }
        Optional<DefaultNetwork.Subnet> subnet = i.zone().flatMap(network::inZone);
        if (i.zone().isPresent() && subnet.isEmpty()) {
          out.add(CheckResult.warn(check, "no default subnet in " + i.zone().get(),
              "`" + DefaultNetwork.createSubnet(i.zone().get()) + "`"));
          continue;
        }
        ec2.runInstances(dryRun(i, image.get(), subnet, isCoordinator
            ? settings.coordinatorProfile() : settings.instanceProfile()));
        out.add(CheckResult.pass(check, "EC2 would start it (no DryRunOperation)"));
      } catch (SdkException e) {
        String code = AwsErrors.code(e);
        if ("DryRunOperation".equals(code)) {
          out.add(CheckResult.pass(check, "EC2 would start it"));
        } else if (AwsErrors.unavailable(e).isPresent()) {
          out.add(CheckResult.warn(check, AwsErrors.said(e), "the run plans this pool's slots in"
              + " other pools; nothing to do"));
        } else if (AwsErrors.SPOT_ROLE_DENIED.equals(code)) {
          out.add(CheckResult.fail(check, AwsErrors.said(e), "`" + AwsErrors.CREATE_SPOT_ROLE
              + "` once, as an administrator"));
        } else {
          out.add(CheckResult.fail(check, AwsErrors.said(e), "UnauthorizedOperation".equals(code)
              ? "give the user the policy in " + ROLES_DOC + " (`aws sts"
                  + " decode-authorization-message` tells which permission is missing)"
              : "see " + ROLES_DOC));
        }
      }
    }
  }

  private RunInstancesRequest dryRun(ProvisionedInstance i, String image,
      Optional<DefaultNetwork.Subnet> subnet, String profile) {
    RunInstancesRequest.Builder b = RunInstancesRequest.builder().dryRun(true)
        .imageId(image).instanceType(i.type()).minCount(1).maxCount(1)
        .iamInstanceProfile(p -> p.name(profile))
        .metadataOptions(m -> m.httpTokens(HttpTokensState.REQUIRED).httpPutResponseHopLimit(1))
        .instanceInitiatedShutdownBehavior("terminate")
        .tagSpecifications(Tags.spec(ResourceType.INSTANCE, "aether-check"));
    subnet.ifPresent(s -> b.subnetId(s.id()));
    if (i.biddable()) {
      b.instanceMarketOptions(m -> m.marketType(MarketType.SPOT).spotOptions(s -> {
        s.spotInstanceType(SpotInstanceType.ONE_TIME)
            .instanceInterruptionBehavior(InstanceInterruptionBehavior.TERMINATE);
        i.bid().ifPresent(bid -> s.maxPrice(bid.toPlainString()));
      }));
    }
    return b.build();
  }

  // ---- bucket

  private void bucket(String project, List<CheckResult> out) {
    String check = "bucket";
    try (S3Client s3 = clients.s3()) {
      S3Storage.Inspection found = new S3Storage(s3, clients::s3Async, project)
          .inspect(clients.region(), project);
      switch (found.found()) {
        case MISSING -> out.add(CheckResult.pass(check, "s3://" + project + " does not exist yet;"
            + " the run makes it (private, encrypted)"));
        case OURS -> out.add(CheckResult.pass(check, "s3://" + project + " is this project's"));
        case EMPTY -> out.add(CheckResult.pass(check, "s3://" + project + " is yours and empty;"
            + " the run claims it"));
        case NOT_OURS -> out.add(CheckResult.fail(check, "s3://" + project + " is yours but not"
            + " this project's (" + found.detail() + ")", "choose another project name with -N"));
        case OTHER_ACCOUNT -> out.add(CheckResult.fail(check, "s3://" + project + " belongs to"
            + " another AWS account", "choose another project name with -N"));
        case OTHER_REGION -> out.add(CheckResult.fail(check, "s3://" + project + " is in "
            + found.detail(), "run with -R " + found.detail() + ", or choose another name"));
        default -> throw new IllegalStateException();
      }
    } catch (RuntimeException e) {
      out.add(CheckResult.fail(check, "s3://" + project + " cannot be looked up ("
          + e.getMessage() + ")", "allow s3:ListBucket and s3:GetBucketTagging (" + ROLES_DOC
          + ")"));
    }
  }

}
