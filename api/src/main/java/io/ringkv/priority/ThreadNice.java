package io.ringkv.priority;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Linux nice value of the calling platform thread. Linux schedules threads, not processes, so
 * setpriority on a thread id lowers that one thread alone; an unprivileged process may always lower
 * its own priority (raise nice), never raise it back.
 */
@SuppressWarnings("restricted") // Native access is granted on the command line (bin/ringkv, surefire).
public final class ThreadNice {
    private static final int PRIO_PROCESS = 0;
    private static final MethodHandle GETTID;
    private static final MethodHandle SETPRIORITY;

    static {
        MethodHandle gettid = null;
        MethodHandle setpriority = null;
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            Optional<java.lang.foreign.MemorySegment> tid = libc.find("gettid");
            Optional<java.lang.foreign.MemorySegment> prio = libc.find("setpriority");
            if (tid.isPresent() && prio.isPresent() && System.getProperty("os.name", "").startsWith("Linux")) {
                gettid = linker.downcallHandle(tid.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
                setpriority = linker.downcallHandle(prio.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            }
        } catch (RuntimeException | LinkageError e) {
            // No native access (not Linux, or --enable-native-access refused): threads keep their priority.
        }
        GETTID = gettid;
        SETPRIORITY = setpriority;
    }

    private ThreadNice() {
    }

    /** Whether this platform can set a single thread's nice value. */
    public static boolean supported() {
        return SETPRIORITY != null;
    }

    /**
     * Sets the calling thread's nice value ({@code 0..19}); false when the platform cannot or the
     * kernel refused (lowering a nice value back needs privileges).
     */
    public static boolean set(int nice) {
        if (nice < 0 || nice > 19) {
            throw new IllegalArgumentException("nice must be in [0, 19], was " + nice);
        }
        if (SETPRIORITY == null || Thread.currentThread().isVirtual()) {
            return false;
        }
        try {
            int tid = (int) GETTID.invokeExact();
            return (int) SETPRIORITY.invokeExact(PRIO_PROCESS, tid, nice) == 0;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * Threads of {@code base} that set their own nice value to {@code nice} before they run anything
     * (a thread can only lower its own priority, and its children inherit it); 0 returns {@code base}.
     */
    public static java.util.concurrent.ThreadFactory factory(java.util.concurrent.ThreadFactory base, int nice) {
        if (nice < 0 || nice > 19) {
            throw new IllegalArgumentException("nice must be in [0, 19], was " + nice);
        }
        if (nice == 0) {
            return base;
        }
        return task -> base.newThread(() -> {
            set(nice);
            task.run();
        });
    }

    /** The calling platform thread's nice value as the kernel reports it, or empty off Linux. */
    public static Optional<Integer> current() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            // Fields after the command name (which may hold spaces) in ")": state is the 3rd field, nice the 19th.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Integer.parseInt(fields[16]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
