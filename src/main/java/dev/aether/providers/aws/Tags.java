package dev.aether.providers.aws;

import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** The tags on everything Aether makes in EC2: {@code aether:project=<name>} and a Name. */
final class Tags {
  static final String PROJECT = S3Storage.PROJECT_TAG;
  /** The instance's prov.psv line, so {@code list()} can tell what a node was started as. */
  static final String INSTANCE = "aether:instance";
  /** What the instance does: {@link #COORDINATOR} or {@link #WORKER}. */
  static final String ROLE = "aether:role";
  static final String COORDINATOR = "coordinator";
  static final String WORKER = "worker";

  private Tags() {}

  static TagSpecification spec(ResourceType type, String project, Tag... extra) {
    return TagSpecification.builder()
        .resourceType(type)
        .tags(concat(project, extra))
        .build();
  }

  private static Tag[] concat(String project, Tag... extra) {
    Tag[] all = new Tag[extra.length + 2];
    all[0] = Tag.builder().key(PROJECT).value(project).build();
    all[1] = Tag.builder().key("Name").value("aether-" + project).build();
    System.arraycopy(extra, 0, all, 2, extra.length);
    return all;
  }

  static boolean isCoordinator(software.amazon.awssdk.services.ec2.model.Instance i) {
    return i.tags().stream().anyMatch(t -> ROLE.equals(t.key()) && COORDINATOR.equals(t.value()));
  }

  static Filter projectFilter(String project) {
    return Filter.builder().name("tag:" + PROJECT).values(project).build();
  }
}
