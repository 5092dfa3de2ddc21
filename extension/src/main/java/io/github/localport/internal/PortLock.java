package io.github.localport.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;

/** An OS lock on one port's lock file, held while the port is reserved. */
record PortLock(FileChannel channel, FileLock lock) {

    void release() {
        try {
            lock.release();
        }
        catch (IOException e) {
            // Closing the channel below drops the lock as well.
        }
        LockDirectory.closeQuietly(channel);
    }
}
