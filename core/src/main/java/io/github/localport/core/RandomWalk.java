package io.github.localport.core;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Visits each of {@code 0..size-1} once, from a random start with a random stride that shares
 * no factor with the size: ports held in a block (by another JVM, say) then cost a few extra
 * tries, not a walk across the whole block.
 */
record RandomWalk(int size, int start, int stride) {

    static RandomWalk over(int size) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int stride = size <= 1 ? 1 : 1 + random.nextInt(size - 1);
        while (gcd(stride, size) != 1) {
            stride = stride % (size - 1) + 1;
        }
        return new RandomWalk(size, size <= 1 ? 0 : random.nextInt(size), stride);
    }

    /** The index visited at step {@code i}, for {@code 0 <= i < size}. */
    int step(int i) {
        return (int) ((start + (long) i * stride) % size);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
