package io.chatwire.files;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Files only their owner may read: the database (every chat) and the secret key. Created with their
 * final permissions, so that there is no moment in which others could open them, whatever the umask.
 * On a file system without POSIX permissions these do what the file system allows and no more.
 */
public final class PrivateFiles {
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> GROUP_AND_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private PrivateFiles() {
    }

    /** Creates the directory and any missing parent, each 0700; one that exists is left as it is. */
    public static void createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return;
        }
        if (posix()) {
            Files.createDirectories(absolute, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
        } else {
            Files.createDirectories(absolute);
        }
    }

    /** Creates an empty file 0600 unless the path exists; true when this call created it. */
    public static boolean createFile(Path file) throws IOException {
        try {
            Files.createFile(file, ownerOnlyFile());
            return true;
        } catch (FileAlreadyExistsException exists) {
            return false;
        }
    }

    /** The attribute that creates a file 0600 (nothing where the file system has no POSIX permissions). */
    public static FileAttribute<?>[] ownerOnlyFile() {
        return posix()
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
                : new FileAttribute<?>[0];
    }

    /**
     * Takes every permission of group and others off an existing file (the owner's are kept as they
     * are). True when it changed something; false when the file is missing or was already private.
     */
    public static boolean restrictToOwner(Path file) throws IOException {
        if (!posix() || !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        if (permissions.stream().noneMatch(GROUP_AND_OTHERS::contains)) {
            return false;
        }
        permissions.removeAll(GROUP_AND_OTHERS);
        Files.setPosixFilePermissions(file, permissions);
        return true;
    }

    /**
     * The permissions of a path that group or others hold any of, as {@code rwxr-xr-x}; empty when only
     * its owner has any, when it does not exist, or without POSIX permissions.
     */
    public static Optional<String> openToOthers(Path path) {
        if (!posix() || !Files.exists(path)) {
            return Optional.empty();
        }
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
            return permissions.stream().anyMatch(GROUP_AND_OTHERS::contains)
                    ? Optional.of(PosixFilePermissions.toString(permissions))
                    : Optional.empty();
        } catch (IOException unreadable) {
            return Optional.empty();
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
