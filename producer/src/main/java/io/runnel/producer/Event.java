package io.runnel.producer;

import java.util.UUID;

/**
 * One clickstream event (see {@code contract/event.schema.json}). Fields hold what a bad record
 * needs too: any event type string, a negative price.
 *
 * @param priceCents the unit price in hundredths of {@code currency}
 * @param ts the event time in Unix milliseconds
 */
record Event(
    UUID eventId,
    String eventType,
    String userId,
    String productId,
    long priceCents,
    String currency,
    int quantity,
    UUID sessionId,
    long ts,
    String userAgent) {

  Event withEventType(String type) {
    return new Event(
        eventId, type, userId, productId, priceCents, currency, quantity, sessionId, ts, userAgent);
  }

  Event withPriceCents(long cents) {
    return new Event(
        eventId, eventType, userId, productId, cents, currency, quantity, sessionId, ts, userAgent);
  }

  Event withTs(long millis) {
    return new Event(
        eventId,
        eventType,
        userId,
        productId,
        priceCents,
        currency,
        quantity,
        sessionId,
        millis,
        userAgent);
  }

  Event withUserAgent(String agent) {
    return new Event(
        eventId,
        eventType,
        userId,
        productId,
        priceCents,
        currency,
        quantity,
        sessionId,
        ts,
        agent);
  }
}
