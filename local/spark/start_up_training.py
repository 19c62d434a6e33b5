"""The training run of Spark's start-up cache (local/spark/submit --train).

The driver JVM records the classes this run loads and links, Spark's own and the JDK's, and writes
them to the cache at exit. Its work is what every Runnel job does first: start a session, plan and
code-generate SQL, shuffle, write and read Parquet and JSON. The jobs' own classes (Delta, S3A,
Runnel) are in their jars and load as before.
"""

import tempfile

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.appName("runnel-aot-training").getOrCreate()
with tempfile.TemporaryDirectory() as folder:
    rows = (
        spark.range(20000)
        .withColumn("k", F.col("id") % 97)
        .withColumn("s", F.concat(F.lit("x"), F.col("id").cast("string")))
    )
    totals = rows.groupBy("k").agg(F.count("*").alias("n"), F.max("s").alias("m"))
    totals.join(rows, "k").where(F.col("id") < 100).write.partitionBy("k").parquet(folder + "/p")
    back = spark.read.parquet(folder + "/p")
    assert back.count() == 100, "the training's Parquet round trip lost rows"
    spark.createDataFrame([("a", 1)], "x string, y int").write.json(folder + "/j")
    assert spark.read.schema("x string, y int").json(folder + "/j").count() == 1
spark.stop()
