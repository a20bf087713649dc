package dev.aether.core.spi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * The project bucket (S3 bucket, Azure container, or a local folder), addressed by keys with
 * {@code /} separators. Layout, see docs: {@code script/}, {@code bin/}, {@code data/},
 * {@code args.txt}, {@code prov.psv}, {@code output/}, {@code logs/}, {@code state/}.
 */
public interface Storage {
  /** Where the bucket is, for people: {@code s3://name}, or a folder path. */
  String location();

  /** Stores a file under {@code key}, replacing what was there. */
  void put(String key, Path source);

  /** Stores bytes under {@code key}, replacing what was there. */
  void put(String key, byte[] content);

  /** Deletes the object; nothing happens when there is none. */
  void delete(String key);

  /**
   * Stores every file under {@code folder} as {@code prefix + relative path} ({@code prefix} ends
   * in {@code /}), telling {@code progress} the bytes sent as they go. Links are not followed.
   */
  default void putFolder(String prefix, Path folder, LongConsumer progress) {
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        put(prefix + folder.relativize(f).toString().replace('\\', '/'), f);
        progress.accept(Files.size(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + folder, e);
    }
  }

  /** The object's bytes, or empty when there is no such key. */
  Optional<byte[]> read(String key);

  /** Copies the object to {@code target}; false when there is no such key. */
  boolean get(String key, Path target);

  /** Keys that start with {@code prefix}, sorted. */
  List<String> list(String prefix);

  /**
   * Where {@code key} (an object or a {@code /}-ended folder prefix) lives on this machine's file
   * system, when the bucket is a local folder; empty for remote buckets. Lets an agent link the
   * project's {@code bin/} and {@code data/} and write {@code output/} in place instead of copying.
   */
  default Optional<Path> localPath(String key) {
    return Optional.empty();
  }
}
