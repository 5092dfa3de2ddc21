package io.github.localport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Reading the kernel's table of file locks, in the format Linux writes it. */
class ProcLocksTests {

    @Test
    void takesGrantedPosixLocksAndPassesOverALineThatDoesNotParse() {
        String text = "1: POSIX  ADVISORY  WRITE 4242 fe:00:2155603 62000 1234562000\n"
                + "2: POSIX  ADVISORY  WRITE 4243 fe:00:2155604 not-a-number 1234562001\n"
                + "3: FLOCK  ADVISORY  WRITE 77 fe:00:9 0 EOF\n"
                + "4: POSIX  ADVISORY  WRITE 78 fe:00:10 0 EOF\n"
                + "5: -> POSIX  ADVISORY  WRITE 4244 fe:00:2155603 62000 1234562000\n"
                + "6: POSIX  ADVISORY  READ 4245 fe:00:7 62001 1234562001\n";

        assertThat(ProcLocks.parse(text)).as("the lines after the one that does not parse count too").containsExactly(
                new ProcLocks.Lock(4242, "2155603", new ProcLocks.Range(62000, 1234562000)),
                new ProcLocks.Lock(4245, "7", new ProcLocks.Range(62001, 1234562001)));
    }

    /** Each read may miss a lock whose place in the kernel's list shifted between two pages. */
    @Test
    void aLookHoldsEveryLockThatEitherReadShowed() {
        String first = "1: POSIX  ADVISORY  WRITE 4242 fe:00:2155603 62000 1234562000\n";
        String second = "1: POSIX  ADVISORY  WRITE 4242 fe:00:2155603 62000 1234562000\n"
                + "2: POSIX  ADVISORY  WRITE 4243 fe:00:2155604 62000 1234562000\n";
        ProcLocks.Range range = new ProcLocks.Range(62000, 1234562000);

        ProcLocks.Snapshot look = ProcLocks.fromReads(0, 0, first, second);

        assertThat(look.byRange().get(range)).containsExactly(new ProcLocks.Lock(4242, "2155603", range),
                new ProcLocks.Lock(4243, "2155604", range));
        assertThat(look.holdsOtherThan(range, "2155603")).as("the lock only the second read showed").isTrue();
    }

    @Test
    void aLookIsNotTrustedOnceTheWallClockHasSteppedAwayFromTheMonotonicOne() {
        long millis = System.currentTimeMillis();
        long nanos = System.nanoTime();
        ProcLocks.Snapshot now = new ProcLocks.Snapshot(millis, nanos, Map.of());
        // As if the look had been taken with the wall clock an hour ahead, and it was set back since.
        ProcLocks.Snapshot beforeAStepBack = new ProcLocks.Snapshot(millis + 3_600_000, nanos, Map.of());

        assertThat(now.clockAgrees()).isTrue();
        assertThat(beforeAStepBack.clockAgrees()).isFalse();
    }
}
