package io.runnel.batch.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LoaderFenceTest {
  private static final String ROOT = "s3a://lakehouse/_checkpoints/warehouse";

  @Test
  void everyLoaderOfAFenceNamesItsSessionsAlikeAndWithinPostgresLimit() {
    String session = LoaderFence.session(ROOT);
    assertThat(session).isEqualTo(new LoaderFence(ROOT, 7).session()).startsWith("runnel-load ");
    // PostgreSQL truncates an application name to 63 bytes: two fences would then look alike.
    assertThat(LoaderFence.session("s3a://" + "x".repeat(500)).getBytes(StandardCharsets.UTF_8))
        .hasSizeLessThanOrEqualTo(63);
  }

  @Test
  void loadersOfOtherCheckpointsAreNotNamedAlike() {
    // A successor ends the sessions of its own fence only, never another set of checkpoints'.
    assertThat(LoaderFence.session(ROOT)).isNotEqualTo(LoaderFence.session(ROOT + "-2"));
  }
}
