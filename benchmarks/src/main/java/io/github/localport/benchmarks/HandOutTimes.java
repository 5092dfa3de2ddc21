package io.github.localport.benchmarks;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * How long a strategy took to hand out a port, in nanoseconds: a histogram whose buckets are at
 * most 1/64 of their value wide, so that a median or a 99th percentile read from it is within
 * 1.6% of the true one. Safe for many recording threads; sent from a worker JVM to the parent as
 * one line.
 */
final class HandOutTimes {

    /** Below this every nanosecond count has a bucket of its own. */
    private static final int EXACT = 128;
    private static final int PER_POWER_OF_TWO = 64;
    private static final int BUCKETS = EXACT + (63 - 7) * PER_POWER_OF_TWO;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    void record(long nanos) {
        counts.incrementAndGet(bucket(Math.max(0, nanos)));
    }

    long count() {
        return IntStream.range(0, BUCKETS).mapToLong(counts::get).sum();
    }

    /** The value below which the fraction {@code q} of the recorded times lie, in microseconds; NaN if none. */
    double percentileMicros(double q) {
        long total = count();
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return middle(i) / 1000.0;
            }
        }
        throw new IllegalStateException("rank " + rank + " beyond the " + total + " times recorded");
    }

    void add(HandOutTimes other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts.addAndGet(i, other.counts.get(i));
        }
    }

    /** "TIMES bucket:count ...", the buckets that are not empty. */
    String toLine() {
        return "TIMES" + IntStream.range(0, BUCKETS).filter(i -> counts.get(i) > 0)
                .mapToObj(i -> " " + i + ":" + counts.get(i)).collect(Collectors.joining());
    }

    static HandOutTimes fromLine(String line) {
        HandOutTimes times = new HandOutTimes();
        String[] fields = line.trim().split(" ");
        for (int f = 1; f < fields.length; f++) {
            String[] pair = fields[f].split(":");
            times.counts.addAndGet(Integer.parseInt(pair[0]), Long.parseLong(pair[1]));
        }
        return times;
    }

    static int bucket(long nanos) {
        if (nanos < EXACT) {
            return (int) nanos;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(nanos); // 7 or more
        int shift = exponent - 6;
        int top = (int) (nanos >>> shift); // 64..127
        return EXACT + (exponent - 7) * PER_POWER_OF_TWO + top - PER_POWER_OF_TWO;
    }

    /** The middle of a bucket's values, in nanoseconds. */
    static double middle(int bucket) {
        if (bucket < EXACT) {
            return bucket;
        }
        int exponent = 7 + (bucket - EXACT) / PER_POWER_OF_TWO;
        int top = PER_POWER_OF_TWO + (bucket - EXACT) % PER_POWER_OF_TWO;
        int shift = exponent - 6;
        return (top + 0.5) * (1L << shift);
    }
}
