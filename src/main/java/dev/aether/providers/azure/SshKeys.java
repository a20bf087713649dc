package dev.aether.providers.azure;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

/**
 * A lock without a key for the nodes' admin account. Azure requires a Linux VM to have a password
 * or an SSH public key; Aether gives it neither a password nor a key anyone holds: the public half
 * of an RSA key pair whose private half is never kept. (No port but the coordinator's is open
 * anyway.) Format: RFC 4253 {@code ssh-rsa} public key, as {@code authorized_keys} takes it.
 */
final class SshKeys {
  private static volatile String unusable;

  private SshKeys() {}

  static String unusable() {
    if (unusable == null) {
      synchronized (SshKeys.class) {
        if (unusable == null) {
          unusable = make();
        }
      }
    }
    return unusable;
  }

  private static String make() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048); // what Azure asks at the least; quick to make
      RSAPublicKey key = (RSAPublicKey) g.generateKeyPair().getPublic();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      write(out, "ssh-rsa".getBytes(StandardCharsets.US_ASCII));
      write(out, key.getPublicExponent().toByteArray());
      write(out, key.getModulus().toByteArray());
      return "ssh-rsa " + Base64.getEncoder().encodeToString(bytes.toByteArray())
          + " aether-no-login";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An SSH string or mpint: length, then bytes (BigInteger's bytes are already two's complement). */
  private static void write(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }
}
