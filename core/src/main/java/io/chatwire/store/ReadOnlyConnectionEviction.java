package io.chatwire.store;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;

/**
 * Tells the pool to drop a SQLite connection that refused a write as read-only. SQLite opens a
 * database it cannot open for writing read-only instead, silently, and such a connection stays
 * read-only for its whole life (half an hour in the pool): without this, a database whose files were
 * unwritable when a connection was opened would refuse writes long after its files were fixed. The
 * connection that replaces it opens read-write as soon as the files allow.
 */
final class ReadOnlyConnectionEviction implements SQLExceptionOverride {
    /** The primary result code sqlite-jdbc reports as the error code. */
    private static final int SQLITE_READONLY = 8;

    /**
     * Whether SQLite refused a write as read-only somewhere in {@code t}'s causes. The group-commit
     * writer asks this itself: its kept statements are prepared on the physical connection, so their
     * refusals never pass through the pool, which would otherwise evict the connection by itself.
     */
    static boolean refusedAsReadOnly(Throwable t) {
        for (Throwable cause = t; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException e && e.getErrorCode() == SQLITE_READONLY) {
                return true;
            }
        }
        return false;
    }

    @java.lang.Override
    public SQLExceptionOverride.Override adjudicate(SQLException e) {
        return e.getErrorCode() == SQLITE_READONLY
                ? SQLExceptionOverride.Override.MUST_EVICT
                : SQLExceptionOverride.Override.CONTINUE_EVICT;
    }
}
