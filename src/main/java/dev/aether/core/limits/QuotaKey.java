package dev.aether.core.limits;

import dev.aether.core.catalog.Market;

/**
 * A vCPU quota bucket: all instances of one quota class ({@code standard}, {@code g}, ...) on one
 * market. See {@link dev.aether.core.catalog.InstanceType#quotaClass()}.
 */
public record QuotaKey(String quotaClass, Market market) {}
