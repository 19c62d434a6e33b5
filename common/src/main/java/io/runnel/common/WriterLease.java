package io.runnel.common;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * One writer per Delta table. Delta on S3 is only safe when a single driver writes a table, so each
 * writing job holds a lease: a small object beside the table's log, created with an S3 conditional
 * write ({@code If-None-Match: *}) and renewed with {@code If-Match} on its ETag. A second job
 * finds the lease renewed and refuses to start; a job killed with {@code kill -9} stops renewing,
 * and its successor takes the lease over once it is older than the TTL.
 *
 * <p>Ages are measured on the S3 server's clock (its {@code Date} header against the object's
 * {@code Last-Modified}), so clock skew between machines does not matter.
 *
 * <p>Fencing: a holder paused past the TTL (a GC pause, SIGSTOP) still believes it holds the lease
 * when it resumes, and its heartbeat may not have noticed yet. So each writer calls {@link
 * #confirm} immediately before each commit: a renewal with {@code If-Match} on the ETag it holds,
 * which fails once a successor has taken the lease over, and a check on the monotonic clock ({@link
 * System#nanoTime} keeps counting while a process is stopped) that the previous confirmed renewal
 * is younger than the TTL.
 */
public final class WriterLease implements AutoCloseable, Fence {
  /** Delta ignores files starting with an underscore: the lease is never mistaken for data. */
  public static final String OBJECT_NAME = "_runnel_writer_lease";

  private static final Logger LOG = LoggerFactory.getLogger(WriterLease.class);
  private static final int PRECONDITION_FAILED = 412;

  /** What the current lease object says, as seen by one HEAD request. */
  public record Observed(String etag, Instant lastModified, Instant serverNow, String holder) {
    public Duration age() {
      return Duration.between(lastModified, serverNow);
    }

    /** Not renewed within the TTL: its holder is dead, and a successor may take it over. */
    public boolean expired(Duration ttl) {
      return age().compareTo(ttl) > 0;
    }
  }

  /** What to do next, given what was seen. */
  enum Step {
    CREATE,
    TAKE_OVER,
    WAIT,
    REFUSE
  }

  /**
   * The decision, kept free of I/O so it can be tested on its own.
   *
   * @param firstSeen the lease as first seen by this candidate, if any
   * @param now the lease as seen now, if any
   */
  static Step decide(Optional<Observed> firstSeen, Optional<Observed> now, Duration ttl) {
    if (now.isEmpty()) {
      return Step.CREATE;
    }
    if (firstSeen.isPresent() && !firstSeen.get().etag().equals(now.get().etag())) {
      // Someone renewed it while we watched: a live writer.
      return Step.REFUSE;
    }
    return now.get().expired(ttl) ? Step.TAKE_OVER : Step.WAIT;
  }

  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final String body;
  private final Duration ttl;
  private final ScheduledExecutorService heartbeat;
  private volatile String etag;
  private volatile long lastRenewedNanos;
  private volatile boolean lost;
  private volatile String lostReason;
  private volatile boolean paused;
  private long renewals;
  private final Object renewing = new Object();

  private WriterLease(
      S3Client s3, String bucket, String key, String body, Duration ttl, String etag) {
    this.s3 = s3;
    this.bucket = bucket;
    this.key = key;
    this.body = body;
    this.ttl = ttl;
    this.etag = etag;
    this.lastRenewedNanos = System.nanoTime();
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "runnel-writer-lease");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Takes the lease for the table at {@code tablePrefix} in {@code bucket}, waiting at most a
   * little over the TTL for a dead holder's lease to expire.
   *
   * @param holder who is asking, for the message a refused second writer prints
   * @param onLost called (once, from the heartbeat thread) if the lease is lost while held
   * @throws LeaseRefusedException when another writer holds the lease and is alive
   */
  public static WriterLease acquire(
      S3Client s3,
      String bucket,
      String tablePrefix,
      String holder,
      Duration ttl,
      Runnable onLost) {
    String key = S3Settings.stripSlashes(tablePrefix) + "/" + OBJECT_NAME;
    String body =
        "{\"owner\":\"" + UUID.randomUUID() + "\",\"holder\":\"" + holder.replace("\"", "'") + "\"";
    Optional<Observed> firstSeen = Optional.empty();
    long deadline = System.nanoTime() + ttl.multipliedBy(2).plusSeconds(5).toNanos();
    while (true) {
      Optional<Observed> now = observe(s3, bucket, key);
      if (firstSeen.isEmpty()) {
        firstSeen = now;
      }
      Step step = decide(firstSeen, now, ttl);
      String taken =
          switch (step) {
            case CREATE -> put(s3, bucket, key, withSequence(body, 0), null);
            case TAKE_OVER -> put(s3, bucket, key, withSequence(body, 0), now.get().etag());
            case WAIT -> null;
            case REFUSE -> throw refused(key, now.get());
          };
      if (taken != null) {
        if (step == Step.TAKE_OVER) {
          LOG.info("took over the expired writer lease {} (was: {})", key, now.get().holder());
        }
        WriterLease lease = new WriterLease(s3, bucket, key, body, ttl, taken);
        lease.startHeartbeat(onLost);
        return lease;
      }
      if (step == Step.WAIT) {
        if (System.nanoTime() > deadline) {
          throw refused(key, now.get());
        }
        LOG.info(
            "waiting for the writer lease {} ({} old, expires after {} s without renewal)",
            key,
            now.get().age(),
            ttl.toSeconds());
      }
      sleep(Duration.ofMillis(1_000));
      // A lost race (412) or a wait: look again.
      if (step != Step.WAIT) {
        firstSeen = Optional.empty();
      }
    }
  }

  public boolean isLost() {
    return lost;
  }

  /** Why the lease was lost (the renewal's error, say), for the job's one-line error; or null. */
  public String lostReason() {
    return lostReason;
  }

  /** What {@link #confirm} concludes before it asks S3. */
  enum Confirmation {
    /** Renew now, then commit if the renewal succeeds. */
    RENEW,
    /** The last confirmed renewal is older than the TTL: a successor may hold the lease now. */
    OUTLIVED,
    /** The heartbeat or an earlier check already found the lease taken over. */
    LOST
  }

  /**
   * The decision, free of I/O: {@code sinceRenewalNanos} is the time on the monotonic clock since
   * the last renewal that S3 accepted was sent.
   */
  static Confirmation confirmation(boolean lost, long sinceRenewalNanos, Duration ttl) {
    if (lost) {
      return Confirmation.LOST;
    }
    return sinceRenewalNanos > ttl.toNanos() ? Confirmation.OUTLIVED : Confirmation.RENEW;
  }

  /**
   * Checks, immediately before a commit, that this writer still holds the lease, and renews it, so
   * that the commit that follows has a whole TTL before any successor may take over.
   *
   * @throws FencedException when the lease was taken over, or its last renewal is older than the
   *     TTL (the process was paused or cut off from S3 for that long): the caller must commit
   *     nothing
   */
  @Override
  public void confirm() {
    synchronized (renewing) {
      long sent = System.nanoTime();
      switch (confirmation(lost, sent - lastRenewedNanos, ttl)) {
        case LOST -> throw fenced("another writer took it over");
        case OUTLIVED -> {
          lose(
              "it was last renewed "
                  + Duration.ofNanos(sent - lastRenewedNanos).toSeconds()
                  + " s ago, more than its TTL of "
                  + ttl.toSeconds()
                  + " s (was this process paused?)",
              () -> {});
          throw fenced("its TTL ran out while this writer was paused or cut off");
        }
        case RENEW -> {}
      }
      String renewed = put(s3, bucket, key, withSequence(body, ++renewals), etag);
      if (renewed == null) {
        lose("another writer took it over", () -> {});
        throw fenced("another writer took it over");
      }
      etag = renewed;
      lastRenewedNanos = sent;
    }
  }

  private FencedException fenced(String why) {
    return new FencedException(
        "fenced: " + why + " (" + key + "), e.g. while this one was paused; nothing was committed");
  }

  /** Simulates a frozen or killed holder (tests only): renewals stop, nothing is released. */
  void pauseHeartbeatForTest() {
    paused = true;
  }

  void resumeHeartbeatForTest() {
    paused = false;
  }

  /** Gives the lease up so the next writer need not wait for it to expire. */
  @Override
  public void close() {
    heartbeat.shutdownNow();
    if (!lost) {
      try {
        // Only our own, live lease: a holder that resumes from a pause and stops at once must not
        // delete its successor's (a successor takes over only an expired lease, so one that is
        // ours and unexpired cannot change hands between this HEAD and the DELETE).
        Optional<Observed> now = observe(s3, bucket, key);
        if (now.isEmpty() || !now.get().etag().equals(etag) || now.get().expired(ttl)) {
          LOG.warn("not releasing the writer lease {}: it is not this writer's any more", key);
          return;
        }
        s3.deleteObject(b -> b.bucket(bucket).key(key));
      } catch (RuntimeException e) {
        LOG.warn("could not release the writer lease {}: {}", key, e.toString());
      }
    }
  }

  private void startHeartbeat(Runnable onLost) {
    long period = Math.max(1_000, ttl.toMillis() / 3);
    heartbeat.scheduleWithFixedDelay(
        () -> {
          if (lost || paused) {
            return;
          }
          try {
            synchronized (renewing) {
              if (lost) {
                return;
              }
              // A new body each time: the ETag (an MD5 of it) must change so watchers see a
              // renewal. The lease is ours for a TTL from when the request was sent, not answered.
              long sent = System.nanoTime();
              String renewed = put(s3, bucket, key, withSequence(body, ++renewals), etag);
              if (renewed != null) {
                etag = renewed;
                lastRenewedNanos = sent;
                return;
              }
            }
            lose("another writer took it over", onLost);
          } catch (RuntimeException e) {
            // A passing S3 error: try again next tick, unless the lease may have expired.
            if (System.nanoTime() - lastRenewedNanos > ttl.toNanos()) {
              lose("it could not be renewed for " + ttl.toSeconds() + " s (" + e + ")", onLost);
            } else {
              LOG.warn("renewing the writer lease {} failed, retrying: {}", key, e.toString());
            }
          }
        },
        period,
        period,
        TimeUnit.MILLISECONDS);
  }

  private void lose(String why, Runnable onLost) {
    if (lost) {
      return;
    }
    lostReason = why;
    lost = true;
    LOG.error("lost the writer lease {}: {}; stopping so that only one writer remains", key, why);
    onLost.run();
  }

  /**
   * The lease on the table at {@code tablePrefix} as the S3 server sees it now, if there is one:
   * for tools that watch the writer without taking the lease ({@code ./runnel bronze-health}).
   */
  public static Optional<Observed> inspect(S3Client s3, String bucket, String tablePrefix) {
    return observe(s3, bucket, S3Settings.stripSlashes(tablePrefix) + "/" + OBJECT_NAME);
  }

  /**
   * The S3 server's clock at the time of a response (its {@code Date} header); the local clock only
   * if a server sends none. Ages measured against it ignore clock skew between machines.
   */
  public static Instant serverNow(HeadObjectResponse head) {
    return head.sdkHttpResponse()
        .firstMatchingHeader("Date")
        .map(d -> ZonedDateTime.parse(d, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())
        .orElseGet(Instant::now);
  }

  private static Optional<Observed> observe(S3Client s3, String bucket, String key) {
    try {
      HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
      Instant serverNow = serverNow(head);
      String holder;
      try {
        holder =
            s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).ifMatch(head.eTag()))
                .asString(StandardCharsets.UTF_8);
      } catch (S3Exception e) {
        holder = "(changed while reading)";
      }
      return Optional.of(new Observed(head.eTag(), head.lastModified(), serverNow, holder));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** A conditional PUT: create-only when {@code ifMatch} is null. Null when the condition fails. */
  private static String put(S3Client s3, String bucket, String key, String body, String ifMatch) {
    try {
      PutObjectResponse r =
          s3.putObject(
              b -> {
                b.bucket(bucket).key(key).contentType("application/json");
                if (ifMatch == null) {
                  b.ifNoneMatch("*");
                } else {
                  b.ifMatch(ifMatch);
                }
              },
              RequestBody.fromString(body, StandardCharsets.UTF_8));
      return r.eTag();
    } catch (S3Exception e) {
      if (e.statusCode() == PRECONDITION_FAILED || e.statusCode() == 409) {
        return null;
      }
      throw e;
    }
  }

  private static String withSequence(String body, long sequence) {
    return body + ",\"renewal\":" + sequence + "}";
  }

  private static LeaseRefusedException refused(String key, Observed holder) {
    return new LeaseRefusedException(
        "another writer holds "
            + key
            + " (renewed "
            + holder.age().toSeconds()
            + " s ago by "
            + holder.holder()
            + "): Delta on S3 allows one writer per table; stop the other job first");
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the writer lease", e);
    }
  }

  /** Another live writer holds the table. */
  public static final class LeaseRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LeaseRefusedException(String message) {
      super(message);
    }
  }
}
