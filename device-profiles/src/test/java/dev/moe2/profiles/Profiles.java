package dev.moe2.profiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Copies of the built-in profile files, to break on purpose. */
final class Profiles {

  private Profiles() {}

  static String builtIn(String relative) throws IOException {
    try (InputStream in = Profiles.class.getResourceAsStream("/moe2/profiles/" + relative)) {
      if (in == null) {
        throw new IOException("no built-in profile " + relative);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static void copyBuiltIns(Path dir) throws IOException {
    for (String f :
        new String[] {
          "devices/jetson-agx-orin-64gb.yaml",
          "devices/jetson-orin-nx-16gb.yaml",
          "devices/rtx-4090.yaml",
          "models/routerdc-7.yaml",
          "fleets/reference.yaml"
        }) {
      write(dir, f, builtIn(f));
    }
  }

  static Path write(Path dir, String relative, String content) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }
}
