package dev.aether.cli;

/** Entry point of the {@code aether} program (placeholder until the CLI lands). */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.out.println("aether");
  }
}
