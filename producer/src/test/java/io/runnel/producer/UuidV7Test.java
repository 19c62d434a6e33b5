package io.runnel.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UuidV7Test {
  @Test
  void idsHaveTheRfc9562LayoutAndCarryTheirMillisecond() {
    UuidV7 ids = new UuidV7(new SplitMix64(1));
    long millis = 1_767_225_600_123L;
    UUID id = ids.next(millis);
    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(UuidV7.millisOf(id)).isEqualTo(millis);
    assertThat(id.toString()).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-.*");
  }

  @Test
  void idsOfOneGeneratorStrictlyIncreaseEvenWithinAMillisecondOrWhenTheClockGoesBack() {
    UuidV7 ids = new UuidV7(new SplitMix64(7));
    List<UUID> all = new ArrayList<>();
    long t = 1_767_225_600_000L;
    for (int i = 0; i < 50_000; i++) {
      // 10,000 ids per millisecond (more than the 12-bit counter holds), and a step back.
      all.add(ids.next(t + i / 10_000 - (i == 30_000 ? 5 : 0)));
    }
    for (int i = 1; i < all.size(); i++) {
      // Compare as unsigned text: the order a database sorts uuids in.
      assertThat(all.get(i).toString()).isGreaterThan(all.get(i - 1).toString());
    }
  }

  @Test
  void theSameSeedGivesTheSameIds() {
    UuidV7 a = new UuidV7(new SplitMix64(3));
    UuidV7 b = new UuidV7(new SplitMix64(3));
    for (int i = 0; i < 100; i++) {
      assertThat(a.next(1000L + i)).isEqualTo(b.next(1000L + i));
    }
    assertThat(new UuidV7(new SplitMix64(4)).next(1000L))
        .isNotEqualTo(new UuidV7(new SplitMix64(3)).next(1000L));
  }
}
