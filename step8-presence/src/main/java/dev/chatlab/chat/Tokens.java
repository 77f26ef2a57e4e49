package dev.chatlab.chat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Short-lived signed tokens (JWTs, HMAC-SHA256): {@code sub} is the user's name, {@code rooms} the rooms it
 * may join ({@code *}: any), {@code exp} when it stops opening sockets. Any node with the same secret checks
 * any node's tokens, so a client may reconnect anywhere in the swarm.
 */
final class Tokens {
    static final String ANY_ROOM = "*";
    static final String ISSUER = "chat-lab";
    /** A token longer than this is refused before it is decoded. */
    static final int MAX_TOKEN_CHARS = 4096;

    /** Who a token names and what it allows. */
    record Identity(String name, List<String> rooms, Instant expiresAt) {
        boolean allows(String roomId) {
            return rooms.contains(ANY_ROOM) || rooms.contains(roomId);
        }

        boolean expired(Instant now) {
            return !now.isBefore(expiresAt);
        }
    }

    /** A token that opens nothing; {@code reason} is safe to log and to answer with (it never holds the token). */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final Duration ttl;
    Tokens(String secret, Duration ttl) {
        this.algorithm = Algorithm.HMAC256(secret);
        this.ttl = ttl;
        // Pinned to HS256: a token that names another algorithm (or "none") is refused, whatever it claims.
        this.verifier = JWT.require(algorithm).withIssuer(ISSUER).withClaimPresence("exp").withClaimPresence("sub")
                .acceptLeeway(1).build();
    }

    /** A token for {@code name} that may join {@code rooms}, valid for the configured lifetime. */
    String issue(String name, List<String> rooms) {
        Instant now = Instant.now();
        return JWT.create().withIssuer(ISSUER).withSubject(name).withClaim("rooms", rooms)
                .withIssuedAt(now).withExpiresAt(now.plus(ttl)).sign(algorithm);
    }

    Duration ttl() {
        return ttl;
    }

    /** Checks the signature, the algorithm, the issuer and the expiry, then the claims' shapes. */
    Identity verify(String token) throws Refused {
        if (token == null || token.isBlank()) {
            throw new Refused("no token");
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new Refused("token too long");
        }
        DecodedJWT jwt;
        try {
            jwt = verifier.verify(token);
        } catch (TokenExpiredException e) {
            throw new Refused("token expired");
        } catch (AlgorithmMismatchException e) {
            throw new Refused("token signed with another algorithm");
        } catch (SignatureVerificationException e) {
            throw new Refused("token signature does not match");
        } catch (JWTDecodeException e) {
            throw new Refused("token is not a JWT");
        } catch (JWTVerificationException e) {
            throw new Refused("token claims are wrong");
        }
        String name = jwt.getSubject();
        if (!Protocol.isName(name)) {
            throw new Refused("token names no valid user");
        }
        List<String> rooms;
        try {
            rooms = jwt.getClaim("rooms").asList(String.class);
        } catch (JWTDecodeException e) {
            rooms = null;
        }
        if (rooms == null || rooms.isEmpty()
                || !rooms.stream().allMatch(r -> ANY_ROOM.equals(r) || Protocol.isRoomId(r))) {
            throw new Refused("token allows no valid rooms");
        }
        return new Identity(name, List.copyOf(rooms), jwt.getExpiresAtAsInstant());
    }
}
