package io.chatwire.signing;

import io.chatwire.files.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypts signing secrets at rest with AES-256-GCM.
 *
 * <p>A stored value is {@code v1:} + base64(nonce | ciphertext | tag), with a fresh random 96-bit
 * nonce per value. The associated data is the row the value belongs to ({@code accounts:<id>} or
 * {@code endpoints:<id>}), so a ciphertext copied into another row does not decrypt there. A value
 * without the {@code v1:} prefix is a plaintext secret from before encryption: it is read as is (and
 * sealed by {@code SecretsAtRest} at the next start). A value that does not decrypt — wrong key,
 * tampered, or moved between rows — fails with {@link WrongKeyException}, never as garbage.
 *
 * <p>{@link #none()} is the cipher of a database opened without a key (some core tests): it stores
 * plaintext and refuses to read a sealed value.
 */
public final class SecretCipher {
    private static final Logger log = LoggerFactory.getLogger(SecretCipher.class);
    public static final String PREFIX = "v1:";
    public static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final SecretCipher NONE = new SecretCipher(null);

    private final SecretKey key;

    private SecretCipher(SecretKey key) {
        this.key = key;
    }

    /** A value that cannot be decrypted with this cipher's key. */
    public static final class WrongKeyException extends IllegalStateException {
        WrongKeyException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Stores plaintext: for databases opened without a key. */
    public static SecretCipher none() {
        return NONE;
    }

    public static SecretCipher of(byte[] key) {
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException("the secret key must be " + KEY_BYTES + " bytes (AES-256)");
        }
        return new SecretCipher(new SecretKeySpec(key.clone(), "AES"));
    }

    /** A key given as base64 of 32 bytes (the form of {@code CHATWIRE_SECRET_KEY} and of the key file). */
    public static SecretCipher fromBase64(String base64Key) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64Key.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the secret key must be base64 of " + KEY_BYTES + " random bytes");
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("the secret key must be base64 of " + KEY_BYTES + " random bytes (got "
                    + key.length + " bytes)");
        }
        try {
            return of(key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** A fresh random key, base64. */
    public static String generateKey() {
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /**
     * Reads the key file, or creates it with a fresh key when there is none. The file is written in
     * full with owner-only permissions (0600) under a temporary name and then linked into place,
     * which fails if another process got there first; that process's key is then read. So nodes
     * starting side by side on one data directory end up with the same key. A directory made for it is
     * 0700; an existing key file others may read is reported at start.
     */
    public static SecretCipher fromKeyFile(Path file) {
        try {
            if (!Files.exists(file)) {
                create(file);
            } else {
                // Warned about, not changed: a group-readable key may be deliberate (a secrets mount).
                PrivateFiles.openToOthers(file).ifPresent(mode -> log.warn("the secret key file {} is open to other"
                        + " users ({}): whoever reads it can decrypt every signing secret; chmod 600 {}", file, mode, file));
            }
            return fromBase64(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or create the secret key file " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the secret key file " + file + " is damaged: " + e.getMessage(), e);
        }
    }

    private static void create(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        PrivateFiles.createDirectories(dir);
        Path temp = Files.createTempFile(dir, ".secret.key-", ".tmp", PrivateFiles.ownerOnlyFile());
        try {
            Files.writeString(temp, generateKey() + "\n", StandardCharsets.US_ASCII);
            PrivateFiles.restrictToOwner(temp); // in case a umask or ACL widened it
            try {
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException lostTheRace) {
                // Another node created it meanwhile: use theirs.
            } catch (UnsupportedOperationException noHardLinks) {
                try {
                    Files.move(temp, file);
                } catch (FileAlreadyExistsException lostTheRace) {
                    // as above
                }
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** True when values are encrypted; false for {@link #none()}. */
    public boolean encrypts() {
        return key != null;
    }

    /** True when the stored value is sealed (as opposed to a plaintext value from before encryption). */
    public static boolean isSealed(String stored) {
        return stored != null && stored.startsWith(PREFIX);
    }

    /** The stored form of a secret belonging to {@code row} (e.g. {@code accounts:acct_...}). */
    public String seal(String plaintext, String row) {
        if (plaintext == null) {
            return null;
        }
        if (key == null) {
            return plaintext;
        }
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(row.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(
                    ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /**
     * Opened secrets by row and sealed value. Every delivery job reads its secret, and AES-GCM per job
     * showed up in profiles; a sealed value never changes meaning (a new secret is a new value), so the
     * result can be kept. Bounded: cleared when full, which only costs a few decryptions.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, String> opened = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_OPENED = 10_000;

    /** The secret of a stored value: decrypted if sealed, as is if plaintext. */
    public String open(String stored, String row) {
        if (stored == null || !isSealed(stored)) {
            return stored;
        }
        String cacheKey = row + '\n' + stored;
        String known = opened.get(cacheKey);
        if (known != null) {
            return known;
        }
        String plain = decrypt(stored, row);
        if (opened.size() >= MAX_OPENED) {
            opened.clear();
        }
        opened.put(cacheKey, plain);
        return plain;
    }

    private String decrypt(String stored, String row) {
        if (key == null) {
            throw new WrongKeyException("a signing secret of " + row + " is encrypted, but this database was opened"
                    + " without a secret key (CHATWIRE_SECRET_KEY or the key file)", null);
        }
        byte[] all;
        try {
            all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new WrongKeyException("the encrypted signing secret of " + row + " is damaged (not base64)", e);
        }
        if (all.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new WrongKeyException("the encrypted signing secret of " + row + " is damaged (too short)", null);
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
            c.updateAAD(row.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new WrongKeyException("the signing secret of " + row + " does not decrypt with this secret key:"
                    + " CHATWIRE_SECRET_KEY (or <data dir>/secret.key) is not the key it was encrypted with,"
                    + " or the stored value was altered", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return key == null ? "SecretCipher[none]" : "SecretCipher[AES-256-GCM]";
    }
}
