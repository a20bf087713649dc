#!/usr/bin/env python3
"""Builds Aether's embedded price snapshot from ../shared/catalog (run from the repository root).

Output: src/main/resources/dev/aether/core/catalog/aws-snapshot.csv in the --catalog format
(instance_type, vcpus, memory_gib, arch, storage_gb, region, zone, on_demand_price, spot_price,
spot_max_price). Sources, see ../shared/catalog/README.md:
  * aws-zones-*.csv   observed per-zone spot prices (us-east-1, us-west-2), standard zones only;
  * aws-us-east-1.csv every other us-east-1 type, with the Spot Advisor's estimated spot price and
                      no zone (the provider picks one).
No price history is in the snapshot, so spot_max_price stays empty (risk price = on-demand).
Instance storage (GB) is not in the sources; it comes from the AWS instance-type documentation
for the NVMe families present (https://docs.aws.amazon.com/ec2/latest/instancetypes/so.html).
"""
import csv, re, sys, pathlib

SHARED = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/catalog")
OUT = pathlib.Path("src/main/resources/dev/aether/core/catalog/aws-snapshot.csv")

# Total instance store in GB per size, from the AWS documentation.
STORAGE = {
    "c5d": {"large": 50, "xlarge": 100, "2xlarge": 200, "4xlarge": 400, "9xlarge": 900,
            "12xlarge": 1800, "18xlarge": 1800, "24xlarge": 3600, "metal": 3600},
    "m5d": {"large": 75, "xlarge": 150, "2xlarge": 300, "4xlarge": 600, "8xlarge": 1200,
            "12xlarge": 1800, "16xlarge": 2400, "24xlarge": 3600, "metal": 3600},
    "i3": {"large": 475, "xlarge": 950, "2xlarge": 1900, "4xlarge": 3800, "8xlarge": 7600,
           "16xlarge": 15200, "metal": 15200},
    "i4i": {"large": 468, "xlarge": 937, "2xlarge": 1875, "4xlarge": 3750, "8xlarge": 7500,
            "12xlarge": 11250, "16xlarge": 15000, "24xlarge": 22500, "32xlarge": 30000,
            "metal": 30000},
}
STORAGE["r5d"] = STORAGE["m5d"]
STANDARD_ZONE = re.compile(r"^[a-z]+\d-az\d+$")


def storage_gb(itype):
    family, size = itype.split(".", 1)
    return STORAGE.get(family, {}).get(size, 0)


def arch_of(itype):
    family = itype.split(".")[0]
    m = re.match(r"^([a-z]+)(\d+)([a-z-]*)$", family)
    if family == "a1" or (m and "g" in m.group(3)):
        return "arm64"
    return "x86_64"


def num(s):
    return ("%f" % float(s)).rstrip("0").rstrip(".")


rows, zoned = [], set()
for f in sorted(SHARED.glob("aws-zones-*.csv")):
    for r in csv.DictReader(open(f)):
        if not STANDARD_ZONE.match(r["zone"]):
            continue
        zoned.add((r["instance_type"], r["region"]))
        rows.append([r["instance_type"], num(r["vcpus"]), num(r["memory_gib"]), r["arch"],
                     storage_gb(r["instance_type"]), r["region"], r["zone"],
                     r["on_demand_price"], r["spot_price"], ""])
for r in csv.DictReader(open(SHARED / "aws-us-east-1.csv")):
    t = r["InstanceType"]
    if (t, "us-east-1") in zoned or t.startswith("mac") or not r["OnDemandPriceUSDh"]:
        continue
    spot = r["EstSpotPriceUSDh"] if r["SpotSavingsPct"] not in ("", "0") else ""
    rows.append([t, num(r["vCPUs"]), num(r["MemoryGiB"]), arch_of(t), storage_gb(t),
                 "us-east-1", "", r["OnDemandPriceUSDh"], spot, ""])
rows.sort(key=lambda r: (r[5], r[0], r[6]))
with open(OUT, "w", newline="") as out:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["instance_type", "vcpus", "memory_gib", "arch", "storage_gb", "region", "zone",
                "on_demand_price", "spot_price", "spot_max_price"])
    w.writerows(rows)
print(f"{OUT}: {len(rows)} offers")
