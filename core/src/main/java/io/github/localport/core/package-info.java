/**
 * localport's core: everything that holds, checks and releases ports, needing only the JDK.
 * <strong>Not API</strong>: the module exports this package only to localport's adapters (the
 * JUnit extension, and the Spring, Maven and command-line adapters), and anything here may
 * change in any release. Adapters translate their framework's declarations into a
 * {@link io.github.localport.core.PortRequest} and its failures into their framework's; they do
 * not re-implement anything here.
 *
 * <h2>How a port flows: request, reservation, release</h2>
 * <ol>
 * <li><b>Request.</b> An adapter builds a {@link io.github.localport.core.PortRequest} (name,
 * {@link io.github.localport.core.Transport}, the declaration for messages, dead or not) and
 * reads {@link io.github.localport.core.Settings} once: from its framework's configuration (JUnit
 * configuration parameters), or for code outside a framework from system properties and then a
 * {@code junit-platform.properties} on the class path, so that both agree on a build's lock
 * directory and range (parsed again only when those values change). A bad value is a {@link io.github.localport.core.ConfigurationException}
 * naming the key, the value and the accepted form. {@link io.github.localport.core.PortRange}
 * knows the default range, computed once from what the OS tells.</li>
 * <li><b>Reservation.</b> {@link io.github.localport.core.PortRegistry#reserve} walks the range
 * from a random start with a random stride and takes the first port that passes three checks, in
 * this order: not claimed in this JVM (a concurrent map per lock directory); its lock file locked in the shared
 * {@code LockDirectory} (other JVMs; the OS drops the lock when a JVM dies); and
 * {@code PortProbe.isFree} (nothing on the machine has it bound, not even a socket in TIME_WAIT).
 * Only if the walk finds no such port does it go back over the ports in use and take the first
 * held only by sockets in TIME_WAIT ({@code PortProbe.isOnlyInTimeWait}: on Linux every socket on
 * it, read from {@code /proc/net}). The lock of a port covers a byte range that names the port and the directory
 * ({@code LockDirectory.range}: from the port to the port above a mark of the directory's real
 * path, so that any two locks of one file overlap); it counts only while the lock file's path still names the
 * locked file (looked at before the open, unless this copy of localport locked that file before, and after the
 * lock), and on Linux only if {@code /proc/locks} shows no lock of that range on another
 * file (a holder whose file was deleted keeps its port; a look reads the file twice and keeps
 * every lock either read shows, since the kernel writes it a page at a time; the first look is taken in the background
 * when the registry is first used or an adapter calls {@code PortRegistry.prepare()}, the last
 * look is kept, and taken again when the lock file's ctime is later (created, renamed or linked
 * there since) or the wall clock has stepped since; a look that fails fails the reservation and
 * is not kept). A reservation that had to create its lock file in a machine-wide directory (shared
 * and sticky, in a directory that is too, as {@code /tmp/localport}) has the range's other missing
 * lock files created by a background thread ({@code LockFilesAhead}; only in a directory of root's
 * or this user's), which then takes one look late enough to answer for all of them: on a new
 * machine, only the reservations of its first seconds look for themselves. The result
 * is a {@link io.github.localport.core.Reservation}, which the adapter keeps for its scope (a
 * JUnit store, a cached Spring context, a build) and hands to its users in its own terms.</li>
 * <li><b>Release.</b> {@link io.github.localport.core.Reservation#close()} polls
 * {@code PortProbe.isReleased} (a bind with SO_REUSEADDR) for up to the grace period ({@link io.github.localport.core.Poll}),
 * fails ({@link io.github.localport.core.PortStillInUseError}, naming who holds the port from
 * {@code PortHolders}) or warns according to the leak policy, and in every case drops the file
 * lock and then the in-JVM claim.</li>
 * </ol>
 *
 * <h2>Ports by number, and blocks</h2>
 * Both are built on {@code PortRegistry.tryReserve}, the claim, lock and probe of one given port,
 * which neither waits nor throws for a port in use.
 * <ul>
 * <li>{@link io.github.localport.core.FixedPort} reserves exactly a given port and waits its
 * turn: this JVM's waiters queue first come, first served, and the first of each JVM polls
 * (claim, lock file, probe) every 2 ms from a random start; a JVM that has just released the port
 * ({@code PortRegistry.release} tells) does not try it at once, so JVMs get turns about equally.
 * The wait is bounded ({@link io.github.localport.core.Settings#FIXED_WAIT}) and runs through
 * {@code ForkJoinPool.managedBlock}. A holder's several ports by number are taken in ascending
 * order ({@link io.github.localport.core.FixedPort#reserveAll}), so no two holders wait for each
 * other.</li>
 * <li>{@link io.github.localport.core.PortBlock} reserves consecutive ports of the range, the
 * first a multiple of an alignment: each a reservation of its own, taken in ascending order, the
 * whole candidate released if one port is not free; closing the block closes every port.</li>
 * </ul>
 *
 * <h2>Services</h2>
 * {@link io.github.localport.core.ServiceRun} starts a service on the port named after it in a
 * scope ({@link io.github.localport.core.ServiceRun.Ports}), polls until it accepts connections,
 * and when closed runs the stop action, stops every process it started
 * ({@link io.github.localport.core.ServiceProcess}: descendants, and on Linux every process
 * carrying the run's marker in its environment, however it was reparented), then closes the
 * port as above. Process output is drained in bounded memory.
 *
 * <h2>Who holds what</h2>
 * {@link io.github.localport.core.HeldPorts} lists the ports held through a lock directory and
 * their holders, for tools that show them (the command line's {@code list} and {@code who}): on
 * Linux from {@code /proc/locks}, where a lock's range names its port, even after its lock
 * file was deleted; elsewhere by trying each lock file. {@code PortHolders} names what has a port
 * bound.
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>A port is in the in-JVM claim set whenever this copy of localport has its lock file open;
 * so no two channels of one copy ever have one lock file open, which matters because closing any
 * channel to a file drops the process's POSIX lock on it. Another copy in the same JVM (another
 * class loader) shows up as an {@code OverlappingFileLockException}: its channel is kept and
 * used again, never closed while the other copy may hold the lock, and every copy opens, locks
 * and closes a lock file under one JVM-wide monitor per file.</li>
 * <li>Lock files are never deleted or written; a new one is made readable and writable by every
 * user without following a link (the directory's owner could swap it for one first). Nothing
 * planted in the lock directory (a FIFO, a socket, a device, a directory, a link, another user's
 * private file) blocks a reservation: it counts as held by someone else.</li>
 * <li>Reserving and releasing ignore the caller's interrupt status (file channels close
 * themselves on interrupt) and restore it afterwards; a walk that fails in any way leaves
 * nothing claimed or locked.</li>
 * </ul>
 */
package io.github.localport.core;
