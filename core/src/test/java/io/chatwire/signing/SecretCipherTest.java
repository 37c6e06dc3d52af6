package io.chatwire.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** AES-GCM sealing of signing secrets, and the key file. */
class SecretCipherTest {
    private static final SecretCipher CIPHER = SecretCipher.fromBase64(SecretCipher.generateKey());
    private static final String ROW = "accounts:acct_1";

    @TempDir
    Path dir;

    @Test
    void sealsToV1Base64OfNonceCiphertextAndTag() {
        String secret = SigningSecret.generate().value();
        String sealed = CIPHER.seal(secret, ROW);
        assertThat(sealed).startsWith("v1:").doesNotContain(secret).doesNotContain(secret.substring(6));
        byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
        assertThat(raw).hasSize(12 + secret.length() + 16);
        assertThat(CIPHER.open(sealed, ROW)).isEqualTo(secret);
    }

    @Test
    void everySealUsesAFreshNonce() {
        String secret = SigningSecret.generate().value();
        Set<String> sealed = new HashSet<>();
        Set<String> nonces = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String s = CIPHER.seal(secret, ROW);
            sealed.add(s);
            nonces.add(Base64.getEncoder().encodeToString(
                    java.util.Arrays.copyOf(Base64.getDecoder().decode(s.substring(3)), 12)));
        }
        assertThat(sealed).hasSize(1000);
        assertThat(nonces).hasSize(1000);
    }

    @Test
    void aWrongKeyFailsClearlyInsteadOfReturningGarbage() {
        String sealed = CIPHER.seal(SigningSecret.generate().value(), ROW);
        SecretCipher other = SecretCipher.fromBase64(SecretCipher.generateKey());
        assertThatThrownBy(() -> other.open(sealed, ROW))
                .isInstanceOf(SecretCipher.WrongKeyException.class)
                .hasMessageContaining("CHATWIRE_SECRET_KEY")
                .hasMessageContaining(ROW);
    }

    @Test
    void aValueMovedToAnotherRowDoesNotDecrypt() {
        String sealed = CIPHER.seal(SigningSecret.generate().value(), "accounts:acct_victim");
        assertThatThrownBy(() -> CIPHER.open(sealed, "accounts:acct_attacker"))
                .isInstanceOf(SecretCipher.WrongKeyException.class);
        assertThatThrownBy(() -> CIPHER.open(sealed, "endpoints:acct_victim"))
                .isInstanceOf(SecretCipher.WrongKeyException.class);
    }

    static Stream<Arguments> tamperings() {
        Random random = new Random(0x5eC12E7L);
        return IntStream.range(0, 300).mapToObj(i -> Arguments.of(i, random.nextLong()));
    }

    /** Any flipped bit, truncation or garbage is refused: GCM authenticates the whole value. */
    @ParameterizedTest(name = "case {0}")
    @MethodSource("tamperings")
    void tamperedValuesAreRefused(int n, long seed) {
        Random random = new Random(seed);
        String sealed = CIPHER.seal(SigningSecret.generate().value(), ROW);
        byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
        String tampered = switch (n % 3) {
            case 0 -> {
                raw[random.nextInt(raw.length)] ^= (byte) (1 << random.nextInt(8));
                yield "v1:" + Base64.getEncoder().encodeToString(raw);
            }
            case 1 -> "v1:" + Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(raw, random.nextInt(raw.length)));
            default -> "v1:" + "%$#!".repeat(1 + random.nextInt(5));
        };
        assertThatThrownBy(() -> CIPHER.open(tampered, ROW)).isInstanceOf(SecretCipher.WrongKeyException.class);
    }

    static Stream<Arguments> roundTrips() {
        Random random = new Random(42);
        return IntStream.range(0, 300).mapToObj(i -> {
            byte[] key = new byte[24 + random.nextInt(40)];
            random.nextBytes(key);
            return Arguments.of("whsec_" + Base64.getEncoder().encodeToString(key),
                    (random.nextBoolean() ? "accounts:" : "endpoints:") + Long.toHexString(random.nextLong()));
        });
    }

    @ParameterizedTest
    @MethodSource("roundTrips")
    void roundTrips(String secret, String row) {
        assertThat(CIPHER.open(CIPHER.seal(secret, row), row)).isEqualTo(secret);
    }

    @Test
    void plaintextFromBeforeEncryptionIsReadAsIs() {
        String secret = SigningSecret.generate().value();
        assertThat(CIPHER.open(secret, ROW)).isEqualTo(secret);
        assertThat(CIPHER.open(null, ROW)).isNull();
        assertThat(SecretCipher.isSealed(secret)).isFalse();
    }

    @Test
    void withoutAKeyNothingIsEncryptedAndASealedValueIsRefused() {
        String secret = SigningSecret.generate().value();
        assertThat(SecretCipher.none().encrypts()).isFalse();
        assertThat(SecretCipher.none().seal(secret, ROW)).isEqualTo(secret);
        String sealed = CIPHER.seal(secret, ROW);
        assertThatThrownBy(() -> SecretCipher.none().open(sealed, ROW))
                .isInstanceOf(SecretCipher.WrongKeyException.class)
                .hasMessageContaining("without a secret key");
    }

    @Test
    void keysMustBeBase64Of32Bytes() {
        assertThatThrownBy(() -> SecretCipher.fromBase64("not base64 at all!"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32");
        assertThatThrownBy(() -> SecretCipher.fromBase64(Base64.getEncoder().encodeToString(new byte[16])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16 bytes");
        assertThat(CIPHER.toString()).doesNotContain(SecretCipher.generateKey().substring(0, 4) + "x");
    }

    @Test
    void theKeyFileIsCreatedOwnerOnlyAndReadOnLaterStarts() throws Exception {
        Path file = dir.resolve("data").resolve("secret.key");
        SecretCipher first = SecretCipher.fromKeyFile(file);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String key = Files.readString(file, StandardCharsets.US_ASCII).strip();
        assertThat(Base64.getDecoder().decode(key)).hasSize(32);
        try (var files = Files.list(file.getParent())) {
            assertThat(files.toList()).as("no temporary file left behind").containsExactly(file);
        }
        String sealed = first.seal("whsec_" + Base64.getEncoder().encodeToString(new byte[32]), ROW);
        SecretCipher again = SecretCipher.fromKeyFile(file);
        assertThat(again.open(sealed, ROW)).startsWith("whsec_");
        assertThat(Files.readString(file, StandardCharsets.US_ASCII).strip()).isEqualTo(key);
    }

    @Test
    void nodesCreatingTheKeyFileAtOnceAllGetTheSameKey() throws Exception {
        Path file = dir.resolve("secret.key");
        List<Future<SecretCipher>> ciphers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 16; i++) {
                ciphers.add(pool.submit((Callable<SecretCipher>) () -> SecretCipher.fromKeyFile(file)));
            }
        }
        String sealed = ciphers.getFirst().get().seal("whsec_" + Base64.getEncoder().encodeToString(new byte[32]), ROW);
        for (Future<SecretCipher> c : ciphers) {
            assertThat(c.get().open(sealed, ROW)).startsWith("whsec_");
        }
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aDamagedKeyFileStopsWithAMessage() throws Exception {
        Path file = dir.resolve("secret.key");
        Files.writeString(file, "tooshort\n");
        assertThatThrownBy(() -> SecretCipher.fromKeyFile(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("damaged");
    }
}
