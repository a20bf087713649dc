#!/usr/bin/env bash
# Aether job script: assemble one metagenome sample with MEGAHIT, annotate it with Prokka.
#
#   assemble.sh ARGS_LINE PROCS MEMFRAC COORDINATOR OUTPUTFOLDER [NODE]
#
#   $1 ARGS_LINE     READS_1,READS_2 - paired-end FASTQ (gzipped or not): paths relative to the
#                    working directory (data/sampleA_1.fq.gz), absolute paths, or s3:// URLs
#   $2 PROCS         cores this job may use (megahit -t, prokka --cpus)
#   $3 MEMFRAC       fraction of the node's memory this job may use, 0 < MEMFRAC <= 1 (megahit -m)
#   $4 COORDINATOR   unused here
#   $5 OUTPUTFOLDER  local folder or s3:// prefix; results go to OUTPUTFOLDER/SAMPLE/
#   $6 NODE          unused here
#
# SAMPLE is READS_1's file name without its FASTQ extension and read suffix
# (data/sampleA_1.fq.gz -> sampleA, x/S1_R1_001.fastq.gz -> S1).
# Results: SAMPLE.contigs.fa, SAMPLE.gff, SAMPLE.faa, SAMPLE.tsv, SAMPLE.txt (Prokka summary),
# SAMPLE.megahit.log, SAMPLE.prokka.log, SAMPLE.assemble.log.
#
# Prokka database: $PROKKA_DBDIR, else Prokka's default (~/.local/lib/prokka/db), if either holds
# an indexed kingdom/Bacteria/sprot. Otherwise a small one is built for this job (a few seconds)
# from the bacterial proteins Debian's prokka package ships (/usr/share/prokka/db/genus).
#
# Exit status: 0 done; 2 invalid parameters or inputs (one line on stderr); 3 the assembly has no
# contigs; any other non-zero status is a missing tool, a failing tool or an s3:// transfer that
# failed (1 for those the script detects itself).
# The args line is only split and used as file names; it is never evaluated.
set -euo pipefail

PROG=assemble.sh
DEBIAN_PROKKA_PROTEINS=${DEBIAN_PROKKA_PROTEINS:-/usr/share/prokka/db/genus}

# One line, whatever the value holds (newlines and control characters are shown escaped).
shown() { if [[ $1 =~ ^[[:print:]]*$ ]]; then printf "'%s'" "$1"; else printf '%q' "$1"; fi; }
invalid() { printf '%s: %s\n' "$PROG" "$1" >&2; exit 2; }
fail() { printf '%s: %s\n' "$PROG" "$1" >&2; exit "${2:-1}"; }

# ---------------------------------------------------------------- check the parameters
(( $# >= 5 )) || invalid "expected at least 5 parameters (ARGS_LINE PROCS MEMFRAC COORDINATOR OUTPUTFOLDER), got $#"
args_line=$1 procs=$2 memfrac=$3 outroot=$5

case $args_line in
  *$'\n'* | *$'\r'*) invalid "args line must be one line: $(shown "$args_line")" ;;
esac
[[ $args_line == *,* && $args_line != *,*,* ]] \
  || invalid "args line must be READS_1,READS_2 (two comma-separated paths): $(shown "$args_line")"
reads1=${args_line%%,*}
reads2=${args_line#*,}
# Surrounding blanks are tolerated; inner blanks stay part of the file name.
reads1=${reads1#"${reads1%%[![:space:]]*}"}; reads1=${reads1%"${reads1##*[![:space:]]}"}
reads2=${reads2#"${reads2%%[![:space:]]*}"}; reads2=${reads2%"${reads2##*[![:space:]]}"}
[[ -n $reads1 && -n $reads2 ]] || invalid "args line has an empty path: $(shown "$args_line")"
[[ $reads1 != "$reads2" ]] || invalid "READS_1 and READS_2 are the same file: $(shown "$reads1")"

[[ $procs =~ ^[1-9][0-9]{0,3}$ ]] || invalid "PROCS must be a positive whole number: $(shown "$procs")"
[[ $memfrac =~ ^(0?\.[0-9]+|1(\.0*)?)$ && ! $memfrac =~ ^0?\.0*$ ]] \
  || invalid "MEMFRAC must be a fraction with 0 < MEMFRAC <= 1: $(shown "$memfrac")"
# MEGAHIT reads -m below 1 as a fraction of the machine's memory, and 1 or more as bytes.
[[ $memfrac =~ ^1 ]] && memfrac=0.99
[[ -n $outroot ]] || invalid "OUTPUTFOLDER is empty"
if [[ $outroot =~ ^[A-Za-z][A-Za-z0-9+.-]*:// && $outroot != s3://* ]]; then
  invalid "OUTPUTFOLDER must be a local folder or an s3:// prefix: $(shown "$outroot")"
fi

sample_name() {
  local base=${1##*/}
  base=${base%.gz}; base=${base%.bz2}
  base=${base%.fastq}; base=${base%.fq}
  local suffix
  for suffix in _R1_001 _R1 _1 .R1 .1; do
    if [[ $base == *"$suffix" && $base != "$suffix" ]]; then base=${base%"$suffix"}; break; fi
  done
  printf '%s' "$base"
}
sample=$(sample_name "$reads1")
[[ $sample =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] \
  || invalid "cannot take a sample name (letters, digits, . _ -) from READS_1: $(shown "$reads1")"

# Local inputs must exist now; s3:// inputs are checked when fetched.
check_input() {
  local what=$1 path=$2
  if [[ $path == s3://* ]]; then return 0; fi
  if [[ $path =~ ^[A-Za-z][A-Za-z0-9+.-]*:// ]]; then
    invalid "$what must be a local path or an s3:// URL: $(shown "$path")"
  fi
  [[ -f $path && -r $path ]] || invalid "$what is not a readable file: $(shown "$path")"
}
check_input READS_1 "$reads1"
check_input READS_2 "$reads2"

# ---------------------------------------------------------------- tools and scratch space
for tool in megahit prokka makeblastdb; do
  command -v "$tool" >/dev/null \
    || fail "$tool not found on PATH; install MEGAHIT and Prokka with tools/install-bio-tools.sh (Debian packages megahit, prokka)"
done
if [[ $reads1 == s3://* || $reads2 == s3://* || $outroot == s3://* ]]; then
  command -v aws >/dev/null || fail "aws CLI not found on PATH; it is needed for s3:// inputs or outputs"
fi

work=$(mktemp -d "$PWD/assemble.$sample.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
results=$work/results
mkdir -p "$results" "$work/reads"
log=$results/$sample.assemble.log

say() { printf '%s: %s\n' "$sample" "$*" | tee -a "$log"; }

# Runs a tool with its output in $work/NAME.out; on failure shows the end of it and stops.
run_logged() {
  local name=$1; shift
  local status=0
  "$@" >"$work/$name.out" 2>&1 || status=$?
  if (( status != 0 )); then
    tail -n 25 "$work/$name.out" >&2
    fail "$name failed with exit status $status (command: $*)" "$status"
  fi
}

# Local paths become absolute (so none can look like an option); s3:// URLs are downloaded.
fetch() {
  local what=$1 path=$2
  if [[ $path == s3://* ]]; then
    local dest
    dest=$work/reads/$what.${path##*/}
    aws s3 cp --only-show-errors "$path" "$dest" >&2 \
      || fail "$what could not be fetched (missing, no access, or network): $(shown "$path")"
    printf '%s' "$dest"
  elif [[ $path == /* ]]; then
    printf '%s' "$path"
  else
    printf '%s' "$PWD/$path"
  fi
}

say "reads $reads1 $reads2; $procs cores; memory fraction $memfrac"
say "$(megahit --version 2>&1 | head -n 1); $(prokka --version 2>&1 | head -n 1)"
r1=$(fetch READS_1 "$reads1")
r2=$(fetch READS_2 "$reads2")

# ---------------------------------------------------------------- assemble
SECONDS=0
run_logged megahit megahit -1 "$r1" -2 "$r2" -t "$procs" -m "$memfrac" \
  --tmp-dir "$work" -o "$work/megahit"
contigs=$work/megahit/final.contigs.fa
cp -- "$work/megahit/log" "$results/$sample.megahit.log"
if [[ ! -s $contigs ]] || ! grep -q '^>' "$contigs"; then
  tail -n 5 "$work/megahit/log" >&2
  fail "MEGAHIT assembled no contigs from $reads1 and $reads2 (too few or too poor reads?); end of its log above" 3
fi
cp -- "$contigs" "$results/$sample.contigs.fa"
say "megahit: $(grep -c '^>' "$contigs") contigs, $(grep -v '^>' "$contigs" | tr -d '\n' | wc -c) bp in ${SECONDS}s"

# ---------------------------------------------------------------- annotate
dbdir=${PROKKA_DBDIR:-${HOME:-/nonexistent}/.local/lib/prokka/db}
if [[ ! -r $dbdir/kingdom/Bacteria/sprot.pin ]]; then
  shopt -s nullglob
  proteins=("$DEBIAN_PROKKA_PROTEINS"/*)
  shopt -u nullglob
  (( ${#proteins[@]} > 0 )) \
    || fail "no Prokka database: none indexed in $dbdir and no protein files in $DEBIAN_PROKKA_PROTEINS"
  dbdir=$work/prokka-db
  mkdir -p "$dbdir/kingdom/Bacteria"
  cat -- "${proteins[@]}" >"$dbdir/kingdom/Bacteria/sprot"
  run_logged makeblastdb makeblastdb -hash_index -dbtype prot \
    -in "$dbdir/kingdom/Bacteria/sprot" -logfile /dev/null
  say "prokka database: built for this job from ${#proteins[@]} protein files in $DEBIAN_PROKKA_PROTEINS"
else
  say "prokka database: $dbdir"
fi

SECONDS=0
run_logged prokka prokka --metagenome --cpus "$procs" --dbdir "$dbdir" \
  --outdir "$work/prokka" --prefix "$sample" --locustag "$sample" --quiet -- "$contigs"
for ext in gff faa tsv txt; do
  cp -- "$work/prokka/$sample.$ext" "$results/$sample.$ext"
done
cp -- "$work/prokka/$sample.log" "$results/$sample.prokka.log"
say "prokka: $(awk -F'\t' '$2 == "CDS"' "$work/prokka/$sample.tsv" | wc -l) CDS in ${SECONDS}s"

# ---------------------------------------------------------------- bring results home
if [[ $outroot == s3://* ]]; then
  dest=${outroot%/}/$sample/
  say "results: $dest"
  aws s3 cp --recursive --only-show-errors "$results/" "$dest"
else
  dest=${outroot%/}/$sample
  say "results: $dest"
  mkdir -p -- "$outroot"
  # Copy beside the final folder, then swap it in, so a rerun never leaves a half-written mix.
  partial=$(mktemp -d "${outroot%/}/.$sample.partial.XXXXXX")
  cp -- "$results"/* "$partial/"
  chmod 755 "$partial"
  rm -rf -- "$dest"
  mv -- "$partial" "$dest"
fi
