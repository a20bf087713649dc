#!/usr/bin/env python3
"""Simulate the tiny metagenome data set of the metagenome_assembly example.

What it makes (all from one seed, so a rerun gives byte-identical files):

* Four synthetic bacterial "genomes" (G1..G4, 20-40 kb). Each is a run of real
  protein-coding genes: real bacterial proteins taken from the protein files
  Debian's prokka package ships (/usr/share/prokka/db/genus/*), lightly mutated
  (a few percent amino-acid substitutions, like a related strain), back-translated
  with a per-genome GC bias, each preceded by a Shine-Dalgarno site and separated
  by short random intergenic spacers, on either strand. Prodigal therefore finds
  real-looking genes and Prokka can name many of them by similarity.
* Four samples (sampleA..sampleD), each a different mix and abundance of the
  genomes, as paired-end gzipped FASTQ: 150 bp reads, insert ~300 bp (normal,
  sd 30, clipped to 200-400), 1% uniform substitution errors, constant Q40.
* truth.tsv: per sample and genome, the genome length, the number of genes put
  in, the number of those genes with a named product, the coverage and the read
  pairs drawn. Tests derive their expectations from this file.
* args.txt next to the data folder: one job line per sample.

Python 3 standard library only. Usage:

    python3 tools/simulate_reads.py            # writes data/ and args.txt
    python3 tools/simulate_reads.py --help
"""

import argparse
import gzip
import io
import os
import random
import re
import sys

READ_LEN = 150
INSERT_MEAN, INSERT_SD, INSERT_MIN, INSERT_MAX = 300, 30, 200, 400
ERROR_RATE = 0.01
QUAL_CHAR = "I"  # Phred 40 everywhere; the errors are not flagged in the qualities

# name, protein source (a Prokka genus file), target length in bp, GC fraction
GENOMES = [
    ("G1", "Escherichia", 40_000, 0.52),
    ("G2", "Staphylococcus", 30_000, 0.33),
    ("G3", "Enterococcus", 25_000, 0.38),
    ("G4", "Escherichia", 20_000, 0.50),
]

# sample -> {genome: fold coverage}
SAMPLES = {
    "sampleA": {"G1": 30, "G2": 20, "G3": 25},
    "sampleB": {"G2": 30, "G3": 20, "G4": 25},
    "sampleC": {"G1": 20, "G3": 30, "G4": 20},
    "sampleD": {"G1": 20, "G2": 25, "G4": 30},
}

AMINO = "ACDEFGHIKLMNPQRSTVWY"
# The standard genetic code (NCBI table 11 has the same sense codons).
CODE = {
    "A": "GCT GCC GCA GCG", "C": "TGT TGC", "D": "GAT GAC", "E": "GAA GAG",
    "F": "TTT TTC", "G": "GGT GGC GGA GGG", "H": "CAT CAC", "I": "ATT ATC ATA",
    "K": "AAA AAG", "L": "TTA TTG CTT CTC CTA CTG", "M": "ATG", "N": "AAT AAC",
    "P": "CCT CCC CCA CCG", "Q": "CAA CAG", "R": "CGT CGC CGA CGG AGA AGG",
    "S": "TCT TCC TCA TCG AGT AGC", "T": "ACT ACC ACA ACG", "V": "GTT GTC GTA GTG",
    "W": "TGG", "Y": "TAT TAC", "*": "TAA TAG TGA",
}
CODONS = {aa: c.split() for aa, c in CODE.items()}
# Products that say nothing; genes with these are still used, but not counted as "named".
VAGUE = re.compile(r"hypothetical|uncharacteri[sz]ed|predicted|conserved|putative|DUF|unknown",
                   re.IGNORECASE)
COMPLEMENT = str.maketrans("ACGT", "TGCA")


def revcomp(seq):
    return seq.translate(COMPLEMENT)[::-1]


def read_proteins(path):
    """Yields (id, product, sequence) from a Prokka-format protein FASTA (>ID EC~~~gene~~~product)."""
    ident, product, chunks = None, "", []
    with open(path) as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith(">"):
                if ident is not None:
                    yield ident, product, "".join(chunks)
                head = line[1:].split(" ", 1)
                ident = head[0]
                product = head[1].split("~~~")[-1] if len(head) > 1 else ""
                chunks = []
            else:
                chunks.append(line.strip())
    if ident is not None:
        yield ident, product, "".join(chunks)


def weighted_codon(rng, choices, gc):
    weights = [gc ** sum(b in "GC" for b in c) * (1 - gc) ** sum(b in "AT" for b in c)
               for c in choices]
    return rng.choices(choices, weights)[0]


def random_dna(rng, n, gc):
    return "".join(rng.choices("GCAT", [gc / 2, gc / 2, (1 - gc) / 2, (1 - gc) / 2], k=n))


def mutate_protein(rng, protein, rate):
    out = [protein[0]]  # keep the start methionine
    for aa in protein[1:]:
        out.append(rng.choice(AMINO.replace(aa, "")) if rng.random() < rate else aa)
    return "".join(out)


def back_translate(rng, protein, gc):
    return "".join(weighted_codon(rng, CODONS[aa], gc) for aa in protein) + \
        weighted_codon(rng, CODONS["*"], gc)


def build_genome(rng, name, proteins, target_len, gc, divergence):
    """Returns (sequence, genes) where genes are (start, end, strand, protein id, product)."""
    parts = [random_dna(rng, 150, gc)]
    length = 150
    genes = []
    while length < target_len - 600:
        pid, product, protein = proteins.pop()
        protein = mutate_protein(rng, protein, divergence)
        cds = back_translate(rng, protein, gc)
        # Shine-Dalgarno site, 6-9 bp before the start codon.
        upstream = random_dna(rng, rng.randint(30, 120), gc) + "AGGAGG" + \
            random_dna(rng, rng.randint(6, 9), gc)
        unit = upstream + cds
        strand = rng.choice("+-")
        if strand == "+":
            start = length + len(upstream) + 1
            parts.append(unit)
        else:
            start = length + 1
            parts.append(revcomp(unit))
        end = start + len(cds) - 1
        genes.append((start, end, strand, pid, product))
        length += len(unit)
    parts.append(random_dna(rng, 150, gc))
    return "".join(parts), genes


def pick_proteins(rng, path):
    """Real, complete-looking proteins of 150-450 aa with only the 20 standard amino acids."""
    keep = [(i, p, s) for i, p, s in read_proteins(path)
            if s.startswith("M") and 150 <= len(s) <= 450 and set(s) <= set(AMINO)]
    keep.sort()  # independent of file order
    rng.shuffle(keep)
    return keep


def mutate_read(rng, seq):
    bases = list(seq)
    for i in range(len(bases)):
        if rng.random() < ERROR_RATE:
            bases[i] = rng.choice("ACGT".replace(bases[i], ""))
    return "".join(bases)


def simulate_pairs(rng, genome_name, genome, coverage):
    n_pairs = round(coverage * len(genome) / (2 * READ_LEN))
    pairs = []
    for _ in range(n_pairs):
        insert = min(INSERT_MAX, max(INSERT_MIN, round(rng.gauss(INSERT_MEAN, INSERT_SD))))
        pos = rng.randint(0, len(genome) - insert)
        fragment = genome[pos:pos + insert]
        if rng.random() < 0.5:
            fragment = revcomp(fragment)
        r1 = mutate_read(rng, fragment[:READ_LEN])
        r2 = mutate_read(rng, revcomp(fragment)[:READ_LEN])
        pairs.append((genome_name, r1, r2))
    return pairs


def write_fastq_gz(path, records):
    """Gzip with a fixed timestamp and no file name, so reruns are byte-identical."""
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", filename="",
                                                mtime=0, compresslevel=9) as gz:
        text = io.TextIOWrapper(gz, encoding="ascii", newline="\n")
        for name, seq in records:
            text.write(f"@{name}\n{seq}\n+\n{QUAL_CHAR * len(seq)}\n")
        text.flush()
        text.detach()


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    example = os.path.dirname(here)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--protein-dir", default="/usr/share/prokka/db/genus",
                        help="folder with Prokka genus protein FASTA files (Debian package prokka)")
    parser.add_argument("--out", default=os.path.join(example, "data"), help="data folder to write")
    parser.add_argument("--args-file", default=os.path.join(example, "args.txt"),
                        help="args file to write (one job line per sample)")
    parser.add_argument("--seed", type=int, default=1572, help="random seed (default %(default)s)")
    parser.add_argument("--divergence", type=float, default=0.03,
                        help="amino-acid substitution rate applied to each protein")
    parser.add_argument("--genomes-fasta", action="store_true",
                        help="also write the simulated genomes to OUT/genomes.fa (not shipped)")
    opts = parser.parse_args(argv)

    rng = random.Random(opts.seed)
    os.makedirs(opts.out, exist_ok=True)

    pools = {}
    genomes = {}
    for name, source, target_len, gc in GENOMES:
        path = os.path.join(opts.protein_dir, source)
        if not os.path.isfile(path):
            sys.exit(f"simulate_reads.py: protein file {path} not found; "
                     "install prokka (tools/install-bio-tools.sh) or pass --protein-dir")
        if source not in pools:
            pools[source] = pick_proteins(rng, path)
        seq, genes = build_genome(rng, name, pools[source], target_len, gc, opts.divergence)
        genomes[name] = (seq, genes)

    if opts.genomes_fasta:
        with open(os.path.join(opts.out, "genomes.fa"), "w") as out:
            for name, (seq, genes) in genomes.items():
                out.write(f">{name} genes={len(genes)}\n")
                out.writelines(seq[i:i + 80] + "\n" for i in range(0, len(seq), 80))

    truth = ["sample\tgenome\tsource\tgenome_length\tgenes\tnamed_genes\tcoverage\tread_pairs"]
    args_lines = []
    for sample, mix in SAMPLES.items():
        pairs = []
        for genome_name, coverage in mix.items():
            seq, genes = genomes[genome_name]
            new = simulate_pairs(rng, genome_name, seq, coverage)
            pairs.extend(new)
            source = next(g[1] for g in GENOMES if g[0] == genome_name)
            named = sum(1 for g in genes if g[4] and not VAGUE.search(g[4]))
            truth.append(f"{sample}\t{genome_name}\t{source}\t{len(seq)}\t{len(genes)}\t{named}"
                         f"\t{coverage}\t{len(new)}")
        rng.shuffle(pairs)
        r1 = ((f"{sample}.{i}.{g}/1", a) for i, (g, a, _) in enumerate(pairs, 1))
        r2 = ((f"{sample}.{i}.{g}/2", b) for i, (g, _, b) in enumerate(pairs, 1))
        write_fastq_gz(os.path.join(opts.out, f"{sample}_1.fq.gz"), r1)
        write_fastq_gz(os.path.join(opts.out, f"{sample}_2.fq.gz"), r2)
        args_lines.append(f"data/{sample}_1.fq.gz,data/{sample}_2.fq.gz")
        print(f"{sample}: {len(pairs)} read pairs from {', '.join(mix)}")

    with open(os.path.join(opts.out, "truth.tsv"), "w") as out:
        out.write("\n".join(truth) + "\n")
    with open(opts.args_file, "w") as out:
        out.write("\n".join(args_lines) + "\n")
    print(f"wrote {opts.out} and {opts.args_file}")


if __name__ == "__main__":
    main(sys.argv[1:])
