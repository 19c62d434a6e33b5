package io.runnel.batch.silver;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Currency;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads typed fields out of one parsed JSON object, recording a named reason for every field that
 * is missing, of the wrong JSON type or out of its contract. Readers return null after recording a
 * reason, so one record collects all of its failures, not just the first.
 */
final class Fields {
  /** ISO 4217 codes the JDK knows: the real list, not just the pattern [A-Z]{3}. */
  private static final Set<String> CURRENCIES =
      Currency.getAvailableCurrencies().stream()
          .map(Currency::getCurrencyCode)
          .collect(Collectors.toUnmodifiableSet());

  /** Largest amount that fits the Silver money type, decimal(12,2). */
  private static final BigDecimal MAX_MONEY = new BigDecimal("9999999999.99");

  private final JsonNode object;
  private final List<String> reasons;

  Fields(JsonNode object, List<String> reasons) {
    this.object = object;
    this.reasons = reasons;
  }

  /** A present, non-null field; records {@code missing_field:<name>} otherwise. */
  private JsonNode present(String name) {
    JsonNode node = object.get(name);
    if (node == null || node.isNull()) {
      reasons.add("missing_field:" + name);
      return null;
    }
    return node;
  }

  /** A JSON string of 1 to {@code maxLength} characters (a blank one counts as missing). */
  String text(String name, int maxLength) {
    return text(name, 1, maxLength);
  }

  String text(String name, int minLength, int maxLength) {
    JsonNode node = present(name);
    if (node == null) {
      return null;
    }
    if (!node.isTextual()) {
      reasons.add("wrong_type:" + name);
      return null;
    }
    String value = node.textValue();
    if (minLength > 0 && value.isBlank()) {
      reasons.add("missing_field:" + name);
      return null;
    }
    if (value.length() > maxLength) {
      reasons.add("too_long:" + name);
      return null;
    }
    return value;
  }

  /** Like {@link #text} but absent or null is fine (returns null without a reason). */
  String optionalText(String name, int maxLength) {
    JsonNode node = object.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    return text(name, 0, maxLength);
  }

  /**
   * A JSON number, at least 0, with at most two fractional digits (a price as a string is a wrong
   * type, not a price).
   */
  BigDecimal money(String name) {
    JsonNode node = present(name);
    if (node == null) {
      return null;
    }
    if (!node.isNumber()) {
      reasons.add("wrong_type:" + name);
      return null;
    }
    BigDecimal value = node.decimalValue();
    if (value.signum() < 0) {
      reasons.add("negative_price");
      return null;
    }
    BigDecimal stripped = value.stripTrailingZeros();
    if (stripped.scale() > 2 || value.compareTo(MAX_MONEY) > 0) {
      reasons.add("invalid_price");
      return null;
    }
    return value.setScale(2);
  }

  /** A JSON integer (1.0 and "1" are wrong types). */
  Integer integer(String name) {
    JsonNode node = present(name);
    if (node == null) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      reasons.add("wrong_type:" + name);
      return null;
    }
    return node.intValue();
  }

  /** An ISO 4217 currency code. */
  String currency(String name) {
    String code = text(name, 3);
    if (code != null && !CURRENCIES.contains(code)) {
      reasons.add("invalid_currency");
      return null;
    }
    return code;
  }

  /** An ISO-8601 date-time with an offset (the contract's form is UTC with Z). */
  Instant instant(String name) {
    String text = text(name, 64);
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      reasons.add("invalid_timestamp:" + name);
      return null;
    }
  }
}
