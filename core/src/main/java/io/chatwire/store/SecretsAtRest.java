package io.chatwire.store;

import io.chatwire.signing.SecretCipher;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The signing-secret columns, and what happens to them when a database is opened with a key: every
 * plaintext value (a row written before secrets were encrypted, or with no key) is sealed in place,
 * and every sealed value is decrypted once to prove the key is the right one. Both happen at start,
 * so the database holds no plaintext secret from then on, and a wrong key stops the start instead of
 * failing the first delivery.
 *
 * <p>Reading stays tolerant all the same: a plaintext value is read as is (see {@link SecretCipher#open}),
 * so a row written by an older node during a rolling start still works, and is sealed at the next start.
 */
public final class SecretsAtRest {
    /** A table with secret columns, and the prefix of the associated data its values are sealed with. */
    private record Table(String name, String rowPrefix, List<String> columns) {
    }

    private record Value(String id, String stored) {
    }

    private static final List<Table> TABLES = List.of(
            new Table("accounts", "accounts:", List.of("signing_secret", "previous_signing_secret")),
            new Table("endpoints", "endpoints:", List.of("secret", "previous_secret")),
            // Static headers (io.chatwire.policy): sealed under their own row name, see PolicyStore.headersRow.
            new Table("endpoints", "endpoint-headers:", List.of("static_headers")));

    private SecretsAtRest() {
    }

    /** The associated data of an account's secrets. */
    public static String accountRow(String accountId) {
        return "accounts:" + accountId;
    }

    /** The associated data of an endpoint's own secrets. */
    public static String endpointRow(String endpointId) {
        return "endpoints:" + endpointId;
    }

    /** Seals the plaintext secrets and checks the sealed ones; returns how many values were sealed. */
    public static int sealAndCheck(Database db) {
        SecretCipher cipher = db.cipher();
        int sealed = 0;
        for (Table t : TABLES) {
            for (String column : t.columns()) {
                String select = "SELECT id, " + column + " FROM " + t.name() + " WHERE " + column + " IS NOT NULL";
                List<Value> values = db.read(c -> Jdbc.query(c, select, rs -> new Value(rs.getString(1), rs.getString(2))));
                List<Value> plain = new ArrayList<>();
                for (Value v : values) {
                    String row = t.rowPrefix() + v.id();
                    if (SecretCipher.isSealed(v.stored())) {
                        cipher.open(v.stored(), row); // throws WrongKeyException with a clear message
                    } else {
                        plain.add(v);
                    }
                }
                if (plain.isEmpty()) {
                    continue;
                }
                // Conditional on the value read, so that two nodes starting at once cannot seal twice.
                String update = "UPDATE " + t.name() + " SET " + column + " = ? WHERE id = ? AND " + column + " = ?";
                sealed += db.write(c -> {
                    int n = 0;
                    for (Value v : plain) {
                        n += update(c, update, cipher.seal(v.stored(), t.rowPrefix() + v.id()), v.id(), v.stored());
                    }
                    return n;
                });
            }
        }
        return sealed;
    }

    private static int update(Connection c, String sql, Object... params) throws SQLException {
        return Jdbc.update(c, sql, params);
    }
}
