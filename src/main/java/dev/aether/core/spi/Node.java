package dev.aether.core.spi;

import java.util.Optional;

/**
 * A machine started for the pipeline.
 *
 * @param id provider's id (instance id, process id, host name)
 * @param instance what it was started as (its prov.psv line)
 * @param address its address as jobs see it ($6 LOCALIP), when known
 */
public record Node(String id, dev.aether.core.plan.ProvisionedInstance instance,
    Optional<String> address) {}
