package io.runnel.producer;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Synthetic shoppers: users with a fixed user agent and currency, sessions that browse the catalog
 * (click, view), add some products to the cart, remove a few and sometimes check out. Many sessions
 * are open at once and their events interleave, as on a real site. Everything is drawn from one
 * seeded generator: the same seed, settings and event times give the same events.
 */
final class EventGenerator {

  /**
   * The shape of a session.
   *
   * @param viewsPerSession mean number of product views in a session (at least 1)
   * @param clickRate share of product views reached by a click (on a listing, search or banner)
   * @param cartRate share of product views followed by an add_to_cart
   * @param removeRate share of add_to_cart events later undone by a remove_from_cart
   * @param purchaseRate share of sessions with a non-empty cart that check out (conversion)
   */
  record Funnel(
      double viewsPerSession,
      double clickRate,
      double cartRate,
      double removeRate,
      double purchaseRate) {
    static final Funnel DEFAULT = new Funnel(6, 0.6, 0.1, 0.15, 0.35);

    Funnel {
      if (viewsPerSession < 1) {
        throw new IllegalArgumentException("views per session must be at least 1");
      }
      for (double rate : new double[] {clickRate, cartRate, removeRate, purchaseRate}) {
        if (rate < 0 || rate > 1) {
          throw new IllegalArgumentException("funnel rates must be between 0 and 1, got " + rate);
        }
      }
    }
  }

  /** A currency, its rate to the euro and its share of users. */
  record Currency(String code, double perEuro, double share) {}

  static final List<Currency> CURRENCIES =
      List.of(
          new Currency("EUR", 1.0, 0.50),
          new Currency("USD", 1.08, 0.25),
          new Currency("GBP", 0.85, 0.12),
          new Currency("PLN", 4.30, 0.08),
          new Currency("SEK", 11.20, 0.05));

  static final List<String> USER_AGENTS =
      List.of(
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
              + " Chrome/131.0.0.0 Safari/537.36",
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like"
              + " Gecko) Version/18.1 Safari/605.1.15",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML,"
              + " like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
          "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
              + " Chrome/131.0.0.0 Mobile Safari/537.36",
          "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
              + " Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
          "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
              + " Version/17.6 Mobile/15E148 Safari/604.1",
          "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko)"
              + " SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36");

  private final long seed;
  private final int users;
  private final List<Catalog.Product> catalog;
  private final List<Currency> currencies;
  private final Funnel funnel;
  private final SplitMix64 random;
  private final UuidV7 ids;
  private final Session[] open;

  /**
   * @param openSessions how many sessions are in progress at once (their events interleave)
   * @param currencies the currencies users pay in (shares are renormalised)
   */
  EventGenerator(
      long seed,
      int users,
      List<Catalog.Product> catalog,
      List<Currency> currencies,
      Funnel funnel,
      int openSessions) {
    if (users < 1 || catalog.isEmpty() || openSessions < 1 || currencies.isEmpty()) {
      throw new IllegalArgumentException("need at least one user, product, currency and session");
    }
    this.seed = seed;
    this.users = users;
    this.catalog = List.copyOf(catalog);
    this.currencies = List.copyOf(currencies);
    this.funnel = funnel;
    this.random = new SplitMix64(seed);
    this.ids = new UuidV7(new SplitMix64(SplitMix64.hash(seed, -1)));
    this.open = new Session[Math.min(openSessions, users)];
  }

  /** The next event of a randomly chosen open session, stamped with this event time. */
  Event next(long epochMillis) {
    int slot = random.nextInt(open.length);
    Session s = open[slot];
    if (s == null || s.done()) {
      s = newSession(epochMillis);
      open[slot] = s;
    }
    Step step = s.steps.get(s.position++);
    Catalog.Product p = catalog.get(step.product);
    return new Event(
        ids.next(epochMillis),
        step.type,
        s.userId,
        p.productId(),
        Math.round(p.priceCents() * s.currency.perEuro()),
        s.currency.code(),
        step.quantity,
        s.sessionId,
        epochMillis,
        s.userAgent);
  }

  /** The user agent and currency of user {@code index}: fixed for the run, with no storage. */
  private Session newSession(long epochMillis) {
    // A few users are much more active than most: the square of a uniform draw skews to low ids.
    double u = random.nextDouble();
    int user = 1 + (int) (users * u * u);
    long traits = SplitMix64.hash(seed, user);
    String agent = USER_AGENTS.get((int) Long.remainderUnsigned(traits, USER_AGENTS.size()));
    Currency currency = pickCurrency(new SplitMix64(traits).nextDouble());
    UUID sessionId = ids.next(epochMillis);
    return new Session("user_" + user, sessionId, agent, currency, plan());
  }

  private Currency pickCurrency(double u) {
    double total = 0;
    for (Currency c : currencies) {
      total += c.share();
    }
    double cumulative = 0;
    for (Currency c : currencies) {
      cumulative += c.share() / total;
      if (u < cumulative) {
        return c;
      }
    }
    return currencies.get(currencies.size() - 1);
  }

  /** The whole session, drawn up front: browse, cart, maybe check out. */
  private List<Step> plan() {
    // Geometric number of views with the configured mean.
    int views = 1;
    double more = 1 - 1 / funnel.viewsPerSession();
    while (random.nextDouble() < more && views < 200) {
      views++;
    }
    List<Step> steps = new ArrayList<>(views * 2 + 4);
    List<Step> cart = new ArrayList<>();
    // Items to take out again, and after which view (views = just before leaving).
    List<Step> removals = new ArrayList<>();
    List<Integer> removeAfter = new ArrayList<>();
    for (int v = 0; v < views; v++) {
      int product = pickProduct();
      if (random.nextDouble() < funnel.clickRate()) {
        steps.add(new Step("click", product, 1));
      }
      steps.add(new Step("view", product, 1));
      if (random.nextDouble() < funnel.cartRate()) {
        Step add = new Step("add_to_cart", product, quantity());
        steps.add(add);
        cart.add(add);
        if (random.nextDouble() < funnel.removeRate()) {
          removals.add(add);
          removeAfter.add(v + 1 + random.nextInt(views - v));
        }
      }
      removeDue(v + 1, steps, cart, removals, removeAfter);
    }
    removeDue(Integer.MAX_VALUE, steps, cart, removals, removeAfter);
    if (!cart.isEmpty() && random.nextDouble() < funnel.purchaseRate()) {
      for (Step item : cart) {
        steps.add(new Step("purchase", item.product, item.quantity));
      }
    }
    return steps;
  }

  private static void removeDue(
      int afterView,
      List<Step> steps,
      List<Step> cart,
      List<Step> removals,
      List<Integer> removeAfter) {
    for (int i = 0; i < removals.size(); i++) {
      if (removeAfter.get(i) <= afterView) {
        Step item = removals.remove(i);
        removeAfter.remove(i);
        i--;
        cart.remove(item);
        steps.add(new Step("remove_from_cart", item.product, item.quantity));
      }
    }
  }

  private int pickProduct() {
    // Popular products first, a long tail after.
    double u = random.nextDouble();
    return (int) (catalog.size() * u * u);
  }

  private int quantity() {
    double u = random.nextDouble();
    return u < 0.7 ? 1 : u < 0.9 ? 2 : random.nextInt(3, 5);
  }

  private record Step(String type, int product, int quantity) {}

  private static final class Session {
    final String userId;
    final UUID sessionId;
    final String userAgent;
    final Currency currency;
    final List<Step> steps;
    int position;

    Session(String userId, UUID sessionId, String userAgent, Currency currency, List<Step> steps) {
      this.userId = userId;
      this.sessionId = sessionId;
      this.userAgent = userAgent;
      this.currency = currency;
      this.steps = steps;
    }

    boolean done() {
      return position >= steps.size();
    }
  }
}
