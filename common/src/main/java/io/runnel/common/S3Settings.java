package io.runnel.common;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Where the lake lives: an S3-compatible endpoint, credentials and the bucket. The same record
 * configures Spark's S3A connector and the AWS SDK.
 *
 * @param endpoint the S3 endpoint, e.g. {@code http://127.0.0.1:19000} for the local server
 * @param pathStyle path-style addressing ({@code endpoint/bucket/key}): what local S3 servers need
 */
public record S3Settings(
    URI endpoint,
    String region,
    String accessKey,
    String secretKey,
    boolean pathStyle,
    String bucket) {

  public static final String ENDPOINT = "RUNNEL_S3_ENDPOINT";
  public static final String REGION = "RUNNEL_S3_REGION";
  public static final String ACCESS_KEY = "RUNNEL_S3_ACCESS_KEY";
  public static final String SECRET_KEY = "RUNNEL_S3_SECRET_KEY";
  public static final String PATH_STYLE = "RUNNEL_S3_PATH_STYLE";
  public static final String BUCKET = "RUNNEL_LAKE_BUCKET";

  public static S3Settings fromEnv(Env env) {
    return new S3Settings(
        env.httpUrl(ENDPOINT, "http://127.0.0.1:19000"),
        env.string(REGION, "us-east-1"),
        env.required(ACCESS_KEY),
        env.required(SECRET_KEY),
        env.bool(PATH_STYLE, true),
        env.bucket(BUCKET, "lakehouse"));
  }

  /** {@code s3a://bucket/path} for Spark. */
  public String lakeUri(String path) {
    return "s3a://" + bucket + "/" + stripSlashes(path);
  }

  /**
   * Spark configuration for S3A and Delta Lake on this endpoint. Every key that matters for
   * correctness is explicit.
   */
  public Map<String, String> sparkConf() {
    Map<String, String> conf = new LinkedHashMap<>();
    String h = "spark.hadoop.fs.s3a.";
    conf.put(h + "endpoint", endpoint.toString());
    conf.put(h + "endpoint.region", region);
    // Local S3 servers have no virtual-host DNS: buckets must be addressed in the path.
    conf.put(h + "path.style.access", Boolean.toString(pathStyle));
    conf.put(h + "connection.ssl.enabled", Boolean.toString("https".equals(endpoint.getScheme())));
    conf.put(
        h + "aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    conf.put(h + "access.key", accessKey);
    conf.put(h + "secret.key", secretKey);
    // Third-party S3 servers reject the SDK's newer default checksum headers.
    conf.put(h + "checksum.generation", "false");
    conf.put("spark.hadoop.fs.s3a.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
    // Delta on S3 is only safe with one driver writing a table; this log store assumes exactly
    // that.
    conf.put("spark.delta.logStore.s3a.impl", "io.delta.storage.S3SingleDriverLogStore");
    conf.put("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    conf.put("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    return conf;
  }

  /** An AWS SDK client for this endpoint (needs software.amazon.awssdk:s3 on the classpath). */
  public S3Client newClient() {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .region(Region.of(region))
        .forcePathStyle(pathStyle)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
        .build();
  }

  @Override
  public String toString() {
    // Never print the secret.
    return "S3Settings[endpoint="
        + endpoint
        + ", region="
        + region
        + ", accessKey="
        + accessKey
        + ", pathStyle="
        + pathStyle
        + ", bucket="
        + bucket
        + "]";
  }

  /** The path without leading or trailing slashes: what S3 keys and s3a URIs are built from. */
  public static String stripSlashes(String path) {
    String p = path;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }
}
