package dev.aether.providers.aws;

import dev.aether.core.catalog.EmbeddedCatalog;
import dev.aether.core.catalog.InstanceType;
import dev.aether.core.catalog.Market;
import dev.aether.core.limits.Limits;
import dev.aether.core.limits.QuotaKey;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CpuOptions;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;
import software.amazon.awssdk.services.servicequotas.ServiceQuotasClient;
import software.amazon.awssdk.services.servicequotas.model.ListAwsDefaultServiceQuotasRequest;
import software.amazon.awssdk.services.servicequotas.model.ListServiceQuotasRequest;
import software.amazon.awssdk.services.servicequotas.model.ServiceQuota;

/**
 * The account's EC2 vCPU quotas per instance family class and market, from Service Quotas.
 *
 * <p>ListServiceQuotas gives the values applied to this account; a quota never changed from its
 * default may be missing there, so the AWS defaults (ListAWSDefaultServiceQuotas) fill the gaps.
 * When two quotas name one bucket (e.g. separate P5 and P4/P3/P2 spot quotas), the smaller wins,
 * unless one has a known code. See
 * https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_ListServiceQuotas.html
 */
public final class AwsLimits {
  private static final String EC2 = "ec2";

  private final AwsClients clients;

  public AwsLimits(AwsClients clients) {
    this.clients = clients;
  }

  /** vCPU quotas only; per-type limits are the user's to give (the seed's limits file). */
  public Limits read() {
    try (ServiceQuotasClient quotas = clients.serviceQuotas()) {
      Map<QuotaKey, Integer> applied = collect(
          quotas.listServiceQuotasPaginator(ListServiceQuotasRequest.builder().serviceCode(EC2).build())
              .quotas());
      Map<QuotaKey, Integer> defaults = collect(
          quotas.listAWSDefaultServiceQuotasPaginator(
                  ListAwsDefaultServiceQuotasRequest.builder().serviceCode(EC2).build())
              .quotas());
      Map<QuotaKey, Integer> all = new HashMap<>(defaults);
      all.putAll(applied);
      return new Limits(Map.of(), all);
    } catch (SdkException e) {
      throw AwsErrors.translate("reading the EC2 vCPU quotas of the account in " + clients.region(), e);
    }
  }

  /**
   * The quotas less what runs now in the region (every pending or running instance of the
   * account, counted by its vCPUs against its quota class and market) and less
   * {@code reservedOnDemandVcpus} of the standard on-demand quota (the coordinator node's): what a
   * new batch may still start. A quota is never below 0.
   */
  public Limits free(int reservedOnDemandVcpus) {
    Limits quotas = read();
    Map<QuotaKey, Integer> used = new HashMap<>(running());
    used.merge(new QuotaKey("standard", Market.ON_DEMAND), reservedOnDemandVcpus, Integer::sum);
    Map<QuotaKey, Integer> free = new HashMap<>();
    quotas.vcpuQuotas().forEach((key, quota) ->
        free.put(key, Math.max(0, quota - used.getOrDefault(key, 0))));
    return new Limits(quotas.perType(), free);
  }

  /** vCPUs of the account's pending and running instances, by quota class and market. */
  Map<QuotaKey, Integer> running() {
    Map<String, InstanceType> types = new HashMap<>();
    EmbeddedCatalog.load().offers().forEach(o -> types.putIfAbsent(o.type().name(), o.type()));
    Map<QuotaKey, Integer> used = new HashMap<>();
    try (Ec2Client ec2 = clients.ec2()) {
      ec2.describeInstancesPaginator(b -> b.filters(Filter.builder().name("instance-state-name")
              .values("pending", "running").build()))
          .reservations().forEach(r -> r.instances().forEach(i -> {
            Market market = i.instanceLifecycle() == InstanceLifecycleType.SPOT ? Market.SPOT
                : Market.ON_DEMAND;
            Optional<InstanceType> type = Optional.ofNullable(types.get(i.instanceTypeAsString()));
            String quotaClass = type.map(InstanceType::quotaClass).orElse("standard");
            used.merge(new QuotaKey(quotaClass, market), vcpus(i, type), Integer::sum);
          }));
    } catch (SdkException e) {
      throw AwsErrors.translate("listing the instances that run in " + clients.region()
          + " (to count them against the vCPU quotas)", e);
    }
    return used;
  }

  /** From the instance's CPU options (they can be lowered at launch), else its type's. */
  private static int vcpus(Instance i, Optional<InstanceType> type) {
    CpuOptions cpu = i.cpuOptions();
    if (cpu != null && cpu.coreCount() != null) {
      return cpu.coreCount() * (cpu.threadsPerCore() == null ? 1 : cpu.threadsPerCore());
    }
    return type.map(InstanceType::vcpus).orElse(1);
  }

  private static Map<QuotaKey, Integer> collect(Iterable<ServiceQuota> quotas) {
    Map<QuotaKey, Integer> values = new HashMap<>();
    Set<QuotaKey> byCode = new java.util.HashSet<>();
    for (ServiceQuota q : quotas) {
      if (q.value() == null) {
        continue;
      }
      var key = QuotaNames.keyOf(q.quotaCode(), q.quotaName());
      if (key.isEmpty()) {
        continue;
      }
      int vcpus = (int) Math.floor(Math.max(0, q.value()));
      if (QuotaNames.known(q.quotaCode())) {
        byCode.add(key.get());
        values.put(key.get(), vcpus);
      } else if (!byCode.contains(key.get())) {
        values.merge(key.get(), vcpus, Math::min);
      }
    }
    return values;
  }
}
