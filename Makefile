# Developer shortcuts; the README's two commands are all a new user needs.
.PHONY: build test clean docs bench

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
