package io.github.localport.core;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;

/** An OS lock on one port's lock file, held while the port is reserved. */
record PortLock(LockDirectory directory, int port, FileChannel channel, FileLock lock, Object fileKey) {

    Path file() {
        return directory.file(port);
    }

    /** Whether the lock file's path still names the file this lock is on: it was not deleted or replaced. */
    boolean isStillNamedByItsPath() {
        return LockDirectory.names(file(), fileKey);
    }

    void release() {
        directory.release(this);
    }
}
