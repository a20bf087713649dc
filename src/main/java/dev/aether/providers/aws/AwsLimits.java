package dev.aether.providers.aws;

import dev.aether.core.limits.Limits;
import dev.aether.core.limits.QuotaKey;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
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
