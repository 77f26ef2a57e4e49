package dev.chatlab.client;

/** What the client does after the server closes its connection, decided by the close code alone. */
public enum Reconnect {
    /** Capped exponential backoff with full jitter: lost connections, failed attempts, any other code. */
    WITH_BACKOFF,
    /** 1012 service restart (a draining node): come back soon, after a small random delay that does not grow. */
    SOON,
    /** 4008 slow consumer: the connection was fine until it fell behind; resume after the backoff's first step. */
    FIRST_STEP,
    /** 1008 policy violation: the server would refuse again; give up and report it as fatal. */
    NEVER;

    public static final int POLICY = 1008;
    public static final int SERVICE_RESTART = 1012;
    public static final int SLOW_CONSUMER = 4008;

    /** The reaction to a close code the server sent. */
    public static Reconnect after(int closeCode) {
        return switch (closeCode) {
            case SERVICE_RESTART -> SOON;
            case SLOW_CONSUMER -> FIRST_STEP;
            case POLICY -> NEVER;
            default -> WITH_BACKOFF;
        };
    }
}
