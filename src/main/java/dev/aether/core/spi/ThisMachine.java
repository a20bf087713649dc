package dev.aether.core.spi;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;

/** The size of the machine this JVM runs on, as an agent reports it to the coordinator. */
public final class ThisMachine {
  private ThisMachine() {}

  public static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** Total memory in GB (10^9 bytes), rounded down to 0.01. */
  public static double memoryGb() {
    long bytes = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
    return Math.floor(bytes / 1e9 * 100) / 100;
  }
}
