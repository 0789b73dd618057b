/**
 * Sweeps on Apache Spark ({@link cascade.spark.SparkSweep}): the same sweep plans as the thread
 * pool, their points as Spark tasks, the same CSV. A leaf module: it depends on {@code sim},
 * nothing depends on it.
 */
package cascade.spark;
