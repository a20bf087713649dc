#!/usr/bin/env python3
"""Builds Aether's embedded price snapshot from ../shared/catalog (run from the repository root).

Output: src/main/resources/dev/aether/core/catalog/aws-snapshot.csv in the --catalog format
(instance_type, vcpus, memory_gib, arch, storage_gb, region, zone, on_demand_price, spot_price,
spot_max_price, interruption_rate, burstable, accelerated, previous_generation, quota_class,
spot_price_estimated: true on the Spot Advisor estimates).
Sources, see ../shared/catalog/README.md:
  * aws-zones-*.csv       observed per-zone spot prices (us-east-1, us-west-2), standard zones only;
  * aws-us-east-1.csv     every other us-east-1 type, with the Spot Advisor's estimated spot price
                          and no zone (the provider picks one);
  * aws-spot-advisor.json the Spot Advisor's interruption band per type and region.
No price history is in the snapshot, so spot_max_price stays empty (risk price = on-demand).

interruption_rate (spot rows only) is the hourly probability of interruption derived from the
advisor band as dev.aether.core.catalog.InterruptionBands does: the band's middle monthly
probability p (2.5, 7.5, 12.5, 17.5, 25 %) over 720 hours at a constant rate,
r = 1 - (1 - p)^(1/720). Types the advisor does not rate get no rate.

Instance storage is not in the sources: tools/aws-instance-storage.csv holds the total instance
store in GB per type, from the AWS documentation's instance store tables (source "2023": the
archived awsdocs/amazon-ec2-user-guide InstanceStorage.md of June 2023; "2026": the current
instance types guide, https://docs.aws.amazon.com/ec2/latest/instancetypes/ so.md, gp.md, mo.md,
ac.md; "ladder": c7gd and c8gd, whose table was not at hand, take the per-size sizes of m7gd and
m8gd, which r7gd and r8gd share). A type of a family listed there but missing from it stops the
build, so a new size is not silently without storage.

The AWS taxonomy (burstable, accelerated, previous generation, quota class) is decided here from
the type names, by the rules providers/aws/AwsTaxonomy.java applies to the live catalog (a test
checks they agree on every type of the snapshot).
"""
import csv, json, math, re, sys, pathlib

SHARED = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/catalog")
OUT = pathlib.Path("src/main/resources/dev/aether/core/catalog/aws-snapshot.csv")
STORAGE_FILE = pathlib.Path(__file__).with_name("aws-instance-storage.csv")

STORAGE = {r["instance_type"]: r["storage_gb"] for r in csv.DictReader(open(STORAGE_FILE))}
STORAGE_FAMILIES = {t.split(".")[0] for t in STORAGE}
STANDARD_ZONE = re.compile(r"^[a-z]+\d-az\d+$")

# EC2 vCPU quota classes by the family's leading letters
# (https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-quotas.html).
CLASS_OF_LETTERS = {
    **{l: "standard" for l in ("a", "c", "d", "h", "i", "im", "is", "m", "r", "t", "z")},
    "dl": "dl", "f": "f", "g": "g", "gr": "g", "vt": "g", "u": "high-memory", "hpc": "hpc",
    "inf": "inf", "p": "p", "trn": "trn", "x": "x", "mac": "mac",
}
ACCELERATED = {"dl", "f", "g", "inf", "p", "trn"}
# https://docs.aws.amazon.com/ec2/latest/instancetypes/pg.html
PREVIOUS_GENERATION = {"m1", "m2", "m3", "m4", "t1", "c1", "c3", "c4", "cc2", "cr1", "r3", "r4",
                       "x1", "x1e", "d2", "hs1", "i2", "g2", "g3", "g3s", "p2"}
BAND_MONTHLY = [0.025, 0.075, 0.125, 0.175, 0.25]


def family(itype):
    return itype.lower().split(".")[0]


def quota_class(itype):
    letters = re.match(r"^([a-z]+)", family(itype))
    letters = letters.group(1) if letters else family(itype)
    if letters not in CLASS_OF_LETTERS:
        sys.exit(f"{itype}: no quota class known for family letters '{letters}'")
    return CLASS_OF_LETTERS[letters]


def burstable(itype):
    f = family(itype)
    return bool(re.fullmatch(r"t\d+[a-z]*", f)) or f.endswith("-flex")


def facts(itype):
    q = quota_class(itype)
    return [str(burstable(itype)).lower(), str(q in ACCELERATED).lower(),
            str(family(itype) in PREVIOUS_GENERATION).lower(), q]


def storage_gb(itype):
    if itype in STORAGE:
        return STORAGE[itype]
    if family(itype) in STORAGE_FAMILIES:
        sys.exit(f"{itype}: its family has instance storage but {STORAGE_FILE} has no size for it")
    return "0"


def hourly_rate(band):
    # 1 - (1 - p)^(1/720), as InterruptionBands.hourlyRateOfMonthly
    return -math.expm1(math.log1p(-BAND_MONTHLY[int(band)]) / 720)


def rate_text(band):
    # 15 decimals: within 1e-15 of the formula, and no exponent in the CSV
    return "" if band is None else ("%.15f" % hourly_rate(band)).rstrip("0")


def arch_of(itype):
    f = family(itype)
    m = re.match(r"^([a-z]+)(\d+)([a-z-]*)$", f)
    if f == "a1" or (m and "g" in m.group(3)):
        return "arm64"
    return "x86_64"


def num(s):
    return ("%f" % float(s)).rstrip("0").rstrip(".")


advisor = json.load(open(SHARED / "aws-spot-advisor.json"))["spot_advisor"]


def band_of(itype, region):
    entry = advisor.get(region, {}).get("Linux", {}).get(itype)
    return None if entry is None else entry["r"]


rows, zoned = [], set()
for f in sorted(SHARED.glob("aws-zones-*.csv")):
    for r in csv.DictReader(open(f)):
        if not STANDARD_ZONE.match(r["zone"]):
            continue
        t, region = r["instance_type"], r["region"]
        zoned.add((t, region))
        rows.append([t, num(r["vcpus"]), num(r["memory_gib"]), r["arch"], storage_gb(t), region,
                     r["zone"], r["on_demand_price"], r["spot_price"], "",
                     rate_text(band_of(t, region)) if r["spot_price"] else ""] + facts(t)
                    + ["false"])
for r in csv.DictReader(open(SHARED / "aws-us-east-1.csv")):
    t = r["InstanceType"]
    if (t, "us-east-1") in zoned or t.startswith("mac") or not r["OnDemandPriceUSDh"]:
        continue
    spot = r["EstSpotPriceUSDh"] if r["SpotSavingsPct"] not in ("", "0") else ""
    band = r["InterruptionBucket"] if r["InterruptionBucket"] != "" else band_of(t, "us-east-1")
    rows.append([t, num(r["vCPUs"]), num(r["MemoryGiB"]), arch_of(t), storage_gb(t),
                 "us-east-1", "", r["OnDemandPriceUSDh"], spot, "",
                 rate_text(band) if spot else ""] + facts(t)
                + ["true" if spot else "false"])
rows.sort(key=lambda r: (r[5], r[0], r[6]))
with open(OUT, "w", newline="") as out:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["instance_type", "vcpus", "memory_gib", "arch", "storage_gb", "region", "zone",
                "on_demand_price", "spot_price", "spot_max_price", "interruption_rate",
                "burstable", "accelerated", "previous_generation", "quota_class",
                "spot_price_estimated"])
    w.writerows(rows)
print(f"{OUT}: {len(rows)} offers")
