package dev.chatlab.testkit.process;

/** The POSIX signals tests send to the servers they start, by the names {@code kill -s} takes. */
public enum Signal {
    /** Ask to shut down cleanly (a chat node drains). */
    TERM,
    /** End at once, with no chance to clean up. */
    KILL,
    /** Freeze: the process keeps its sockets open but runs no more until {@link #CONT}. */
    STOP,
    /** Thaw a process frozen with {@link #STOP}. */
    CONT,
    /** Interrupt, as Ctrl-C does. */
    INT,
    /** Hang up; many servers reload their configuration on it. */
    HUP
}
