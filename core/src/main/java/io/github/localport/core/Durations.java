package io.github.localport.core;

import java.time.Duration;

/** Durations as people write them in messages: {@code 2s}, {@code 500ms}. */
public final class Durations {

    private Durations() {
    }

    public static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
