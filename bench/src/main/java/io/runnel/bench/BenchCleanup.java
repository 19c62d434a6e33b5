package io.runnel.bench;

import io.runnel.common.Env;
import io.runnel.common.Exits;
import io.runnel.common.S3Settings;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/** Deletes a benchmark run's topic and lake prefix: a run writes gigabytes to both. */
@Command(name = "bench-cleanup", mixinStandardHelpOptions = true)
public final class BenchCleanup implements Callable<Integer> {
  @Option(names = "--topic", required = true)
  String topic;

  @Option(
      names = "--prefix",
      required = true,
      description = "Lake prefix, must start with _bench/.")
  String prefix;

  public static void main(String[] args) {
    System.exit(Exits.execute("bench-cleanup", new BenchCleanup(), args));
  }

  @Override
  public Integer call() throws Exception {
    if (!prefix.startsWith("_bench/") || prefix.contains("..")) {
      throw new io.runnel.common.SettingsException(
          "--prefix must start with _bench/, got " + prefix);
    }
    Env env = Env.system();
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, env.required("RUNNEL_KAFKA_BOOTSTRAP"));
    try (Admin admin = Admin.create(props)) {
      try {
        admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause()
            instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
    }
    S3Settings s3 = S3Settings.fromEnv(env);
    try (S3Client client = s3.newClient()) {
      for (var page :
          client.listObjectsV2Paginator(b -> b.bucket(s3.bucket()).prefix(prefix).maxKeys(1000))) {
        List<ObjectIdentifier> keys =
            page.contents().stream()
                .map(o -> ObjectIdentifier.builder().key(o.key()).build())
                .toList();
        if (!keys.isEmpty()) {
          client.deleteObjects(b -> b.bucket(s3.bucket()).delete(d -> d.objects(keys).quiet(true)));
        }
      }
    }
    return Exits.OK;
  }
}
