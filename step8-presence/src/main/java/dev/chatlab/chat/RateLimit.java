package dev.chatlab.chat;

/**
 * One socket's allowance: two token buckets, frames and bytes, refilled continuously at the sustained rate
 * and holding {@link Security#BURST_SECONDS} seconds of it, so a burst passes and a flood does not. Refusals
 * drain a third bucket, of {@code maxStrikes} refilled over the strike window: a client that retries a backlog
 * now and then never empties it, one that keeps sending regardless does, and that is abuse.
 */
final class RateLimit {
    /** What happened to one frame. */
    enum Verdict { ADMITTED, REFUSED, ABUSE }

    private final double framesPerNano;
    private final double bytesPerNano;
    private final double frameCapacity;
    private final double byteCapacity;
    private final double strikesPerNano;
    private final double strikeCapacity;
    private double frames;
    private double bytes;
    private double strikes;
    private long refilledAt;
    private long refusals;

    RateLimit(Security security, long nowNanos) {
        this.framesPerNano = security.rateMessages() / 1e9;
        this.bytesPerNano = security.rateBytes() / 1e9;
        this.frameCapacity = security.rateMessages() * Security.BURST_SECONDS;
        this.byteCapacity = (double) security.rateBytes() * Security.BURST_SECONDS;
        this.strikeCapacity = security.maxStrikes();
        this.strikesPerNano = strikeCapacity / security.strikeWindow().toNanos();
        this.frames = frameCapacity;
        this.bytes = byteCapacity;
        this.strikes = strikeCapacity;
        this.refilledAt = nowNanos;
    }

    /** Takes one frame of {@code size} bytes from the buckets, or refuses it and counts a strike. */
    synchronized Verdict take(long size, long nowNanos) {
        long elapsed = Math.max(0, nowNanos - refilledAt);
        refilledAt = nowNanos;
        frames = Math.min(frameCapacity, frames + elapsed * framesPerNano);
        bytes = Math.min(byteCapacity, bytes + elapsed * bytesPerNano);
        strikes = Math.min(strikeCapacity, strikes + elapsed * strikesPerNano);
        if (frames >= 1 && bytes >= size) {
            frames -= 1;
            bytes -= size;
            return Verdict.ADMITTED;
        }
        refusals++;
        strikes -= 1;
        return strikes < 0 ? Verdict.ABUSE : Verdict.REFUSED;
    }

    synchronized long refusals() {
        return refusals;
    }
}
