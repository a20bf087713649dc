package dev.aether.core.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The price snapshot shipped inside Aether, used when no cloud account is queried: real AWS
 * on-demand and spot prices for us-east-1 and us-west-2 (2026), built by
 * {@code tools/make-embedded-catalog.py} from {@code ../shared/catalog}. It has no price history,
 * so a spot offer's risk price is its on-demand price.
 */
public final class EmbeddedCatalog {
  static final String RESOURCE = "aws-snapshot.csv";
  public static final String SOURCE = "embedded AWS price snapshot (2026)";

  private EmbeddedCatalog() {}

  public static Catalog load() {
    return fromResource(EmbeddedCatalog.class, RESOURCE, SOURCE);
  }

  /**
   * A catalog CSV shipped in the jar beside {@code owner} (a provider's own snapshot), named
   * {@code source} in plan reports.
   */
  public static Catalog fromResource(Class<?> owner, String resource, String source) {
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("embedded catalog " + resource + " missing from the build");
      }
      Catalog read = CatalogCsv.read(new InputStreamReader(in, StandardCharsets.UTF_8), resource);
      return new Catalog(source, read.offers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
