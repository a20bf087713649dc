# Developer shortcuts; the README's two commands are all a new user needs.
.PHONY: build test clean docs bench man

build:            ## the runnable jar, target/aether.jar
	mvn -q -B -DskipTests package

test:             ## the whole test suite (what CI runs)
	mvn -B test

clean:
	mvn -q -B clean
	rm -rf site

docs:             ## docs/ rendered to site/ by mkdocs (Debian package mkdocs)
	mkdocs build --strict --site-dir site

bench:            ## benchmarks, not part of the tests; see bench/README.md
	bench/bidder.sh

man: build        ## man pages in target/man (needs asciidoctor: apt-get install asciidoctor)
	java -jar target/aether.jar gen-manpage --outdir target/man
	asciidoctor -b manpage -D target/man target/man/*.adoc
	@echo "install: mkdir -p ~/.local/share/man/man1 && cp target/man/*.1 ~/.local/share/man/man1/"
