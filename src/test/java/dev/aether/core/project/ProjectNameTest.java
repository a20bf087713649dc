package dev.aether.core.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aether.core.AetherException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One rule for every place a project name is used: bucket, container, folder. */
class ProjectNameTest {
  @ParameterizedTest
  @ValueSource(strings = {"abc", "my-project", "sample-2026", "a1b",
      "a23456789012345678901234567890123456789012345678901234567890123"})
  void acceptsNamesEveryProviderCanUse(String name) {
    assertThat(ProjectName.check(name)).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ab", "My-Project", "my_project", "-project", "project-", "my..project",
      "my.project", "my--project", "192.168.1.1", "xn--project", "sthree-x", "project-s3alias",
      "a b c", "a234567890123456789012345678901234567890123456789012345678901234", ""})
  void refusesOthersNamingTheOptionAndTheRule(String name) {
    assertThatThrownBy(() -> ProjectName.check(name))
        .isInstanceOf(AetherException.class)
        .hasMessageContaining("-N/--name: '" + name + "'")
        .extracting(e -> ((AetherException) e).exitStatus())
        .isEqualTo(AetherException.INVALID_INPUT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sthree-x", "amzn-s3-demo-x", "project-s3alias"})
  void saysWhichReservedWordItHit(String name) {
    assertThat(ProjectName.problem(name)).get().asString().contains("reserved by AWS S3");
  }
}
