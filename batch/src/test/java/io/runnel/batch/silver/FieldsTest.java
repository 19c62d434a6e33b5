package io.runnel.batch.silver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written readers of the hot path give exactly what the JDK's own readers give. */
class FieldsTest {
  private static final Pattern UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** What OffsetDateTime.parse makes of the text, or null when it rejects it. */
  private static Instant reference(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-03-01T11:59:58Z",
        "2026-03-01T11:59:58.1Z",
        "2026-03-01T11:59:58.123Z",
        "2026-03-01T11:59:58.123456789Z",
        "2024-02-29T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z"
      })
  void theContractsFormIsReadAsTheFormatterReadsIt(String text) {
    assertThat(Fields.utcInstant(text)).isNotNull().isEqualTo(reference(text));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2025-02-29T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-03-01T24:00:00Z",
        "2026-03-01T23:60:00Z",
        "2026-03-01T23:59:60Z",
        "2026-03-01T11:59:58.Z",
        "2026-03-01T11:59:58.1234567890Z",
        "2026-03-01T11:59:5xZ",
        "2026-03-01 11:59:58Z",
        "2026-3-01T11:59:58Z",
        "2026-03-01T11:59:58+01:00",
        "2026-03-01t11:59:58z",
        "2026-03-01T11:59Z",
        "+2026-03-01T11:59:58Z",
        "2026-03-01T11:59:58.12a4Z"
      })
  void anythingElseIsLeftToTheFormatter(String text) {
    // Either the fast path declines (null) or it agrees with the formatter.
    Instant fast = Fields.utcInstant(text);
    if (fast != null) {
      assertThat(fast).isEqualTo(reference(text));
    }
    if (reference(text) == null) {
      assertThat(fast).isNull();
    }
  }

  @Test
  void randomTimestampsAgreeWithTheFormatter() {
    Random random = new Random(42);
    String alphabet = "0123456789-:.TZ+ ";
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      // Valid instants in every fraction length, then single-character corruptions of them.
      Instant t = Instant.ofEpochSecond(random.nextLong(-62_000_000_000L, 250_000_000_000L));
      t = t.plusNanos(random.nextInt(1_000_000_000));
      String text = t.toString();
      texts.add(text);
      char[] c = text.toCharArray();
      c[random.nextInt(c.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
      texts.add(new String(c));
    }
    for (String text : texts) {
      Instant expected = reference(text);
      Instant fast = Fields.utcInstant(text);
      assertThat(fast == null || fast.equals(expected)).as(text).isTrue();
      if (expected == null) {
        assertThat(fast).as(text).isNull();
      }
    }
  }

  @Test
  void theUuidCheckIsTheRegex() {
    Random random = new Random(7);
    String alphabet = "0123456789abcdefABCDEFgG-x";
    for (int i = 0; i < 50_000; i++) {
      String id = java.util.UUID.randomUUID().toString();
      char[] c = (random.nextBoolean() ? id.toUpperCase() : id).toCharArray();
      if (random.nextBoolean()) {
        c[random.nextInt(c.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
      }
      String text = random.nextInt(20) == 0 ? new String(c, 0, 35) : new String(c);
      assertThat(SilverRules.isUuid(text)).as(text).isEqualTo(UUID.matcher(text).matches());
    }
  }
}
