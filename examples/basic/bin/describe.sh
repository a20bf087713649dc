#!/bin/sh
# A helper the job script finds on PATH (the project's bin/ folder, -B).
printf 'job %s: %s cores, %s of memory, on %s\n' "$1" "$2" "$3" "$4"
