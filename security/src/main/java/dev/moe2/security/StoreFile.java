package dev.moe2.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A JSON list of entries in one file, shared by a running service (which reads it again when it
 * changes) and the {@code credentials} command (which changes it): changes run under a lock file,
 * are written to a temporary file readable by the owner only and moved into place atomically.
 */
final class StoreFile<T> {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path file;
  private final JavaType type;
  private volatile Snapshot<T> snapshot;

  private record Snapshot<T>(FileTime modified, long size, List<T> entries) {}

  StoreFile(Path file, Class<T> entry) {
    this.file = file.toAbsolutePath();
    this.type = JSON.getTypeFactory().constructCollectionType(List.class, entry);
  }

  Path path() {
    return file;
  }

  /** The entries as the file holds them now (read again only when it changed). */
  List<T> entries() {
    try {
      // one stat per call: the API checks a key on every request
      java.nio.file.attribute.BasicFileAttributes a;
      try {
        a = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
      } catch (java.nio.file.NoSuchFileException e) {
        return List.of();
      }
      Snapshot<T> s = snapshot;
      if (s != null && s.modified().equals(a.lastModifiedTime()) && s.size() == a.size()) {
        return s.entries();
      }
      List<T> entries = read();
      snapshot = new Snapshot<>(a.lastModifiedTime(), a.size(), entries);
      return entries;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private List<T> read() throws IOException {
    try {
      List<T> list = JSON.readValue(file.toFile(), type);
      return List.copyOf(list);
    } catch (JsonProcessingException e) {
      throw new CredentialStoreException(
          file + " is not a valid store (" + e.getOriginalMessage() + ")", e);
    } catch (IllegalArgumentException e) {
      throw new CredentialStoreException(file + " has an invalid entry: " + e.getMessage(), e);
    }
  }

  /** Applies {@code change} to the current entries under the lock and writes the result. */
  List<T> update(UnaryOperator<List<T>> change) {
    try {
      Path dir = file.getParent();
      createPrivateDirectories(dir);
      Path lock = dir.resolve(file.getFileName() + ".lock");
      try (FileChannel ch =
              FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = ch.lock()) {
        List<T> now = Files.exists(file) ? read() : List.of();
        List<T> next = List.copyOf(change.apply(now));
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        createPrivateFile(tmp);
        Files.write(tmp, JSON.writeValueAsBytes(next));
        try {
          Files.move(
              tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        snapshot = null;
        return next;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  /** Creates the folders, the last one readable by the owner only. */
  static void createPrivateDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Files.createDirectories(dir);
    if (posix()) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  /** Creates an empty file readable and writable by the owner only. */
  static void createPrivateFile(Path f) throws IOException {
    if (posix()) {
      Files.createFile(
          f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(f);
    }
  }

  /** Writes {@code text} to {@code f}, readable by the owner only. */
  static void writePrivate(Path f, String text) {
    try {
      createPrivateDirectories(f.toAbsolutePath().getParent());
      Files.deleteIfExists(f);
      createPrivateFile(f);
      Files.writeString(f, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + f, e);
    }
  }
}
