#!/usr/bin/env python3
"""Builds Aether's embedded Azure price snapshot from ../shared/catalog (run from the repository root).

Input: azure-vms.csv (Linux pay-as-you-go and Spot prices, USD per hour, 9 US regions; see
../shared/catalog/README.md). Output: src/main/resources/dev/aether/providers/azure/azure-catalog.csv
in the --catalog format (instance_type, vcpus, memory_gib, arch, storage_gb, region, zone,
on_demand_price, spot_price, spot_max_price) plus the taxonomy columns burstable, accelerated,
previous_generation, quota_class and interruption_rate.

  * Sizes with no pay-as-you-go price are left out; sizes with no Spot price get an on-demand
    offer only (empty spot_price). No zones (Azure picks one), no price history (empty
    spot_max_price: the risk price is the pay-as-you-go price, Azure's default Spot max of -1).
  * storage_gb is 0: the source has no temporary-disk sizes.
  * interruption_rate is empty: the source has no eviction rates.
  * arch: arm64 for the sizes with 'p' in their additive features (Dpsv5, Epsv5, Bpsv2, ...: the
    Ampere Altra sizes; e.g. Standard_D16plds_v5 reports CpuArchitectureType Arm64 in the
    Resource SKUs API), x86_64 otherwise.
  * burstable: the B-series (https://learn.microsoft.com/azure/virtual-machines/sizes/general-purpose/b-family).
  * accelerated: the N-series (GPU: NC, NCC, ND, NG, NV; FPGA: NP) and the FPGA PB-series.
  * previous_generation: the series Azure lists as previous generation or as retired / announced
    for retirement, see PREVIOUS_GENERATION below for the list and its sources.
  * quota_class: the vCPU quota family as the Compute usage API (az vm list-usage) names it, see
    quota_class() below. Azure spells these names inconsistently (standardDSv5Family,
    StandardNCADSA100v4Family, "Standard NCASv3_T4 Family" in the Resource SKUs API): compare
    them ignoring case and spaces.
"""
import csv
import pathlib
import re
import sys

SHARED = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/catalog")
OUT = pathlib.Path("src/main/resources/dev/aether/providers/azure/azure-catalog.csv")

# Standard_<series letters><vCPUs>[-<constrained vCPUs>]<additive features>[_<memory TiB>]
#   [_<accelerator>][_cc][_v<version>][_Promo]; Basic_A<n> for the basic tier. See
# https://learn.microsoft.com/azure/virtual-machines/vm-naming-conventions
SIZE = re.compile(
    r"^(?P<tier>Basic|Standard)_(?P<family>[A-Z]+)(?P<number>\d+)(?:-(?P<constrained>\d+))?"
    r"(?P<features>[a-z]*)(?:_(?P<memory>\d+))?(?:_(?P<accel>[A-Z]+\d+[A-Z]*))?(?P<cc>_cc)?"
    r"(?:_(?P<version>v\d+))?(?P<promo>_Promo)?$")


class Size:
    def __init__(self, name):
        m = SIZE.match(name)
        if not m:
            raise SystemExit(f"{name}: not an Azure size name this script understands")
        self.name = name
        self.tier = m["tier"]
        self.family = m["family"]
        self.number = int(m["number"])  # the vCPU count, except in Basic_A/Standard_A0-A11
        self.features = m["features"]
        self.accel = m["accel"] or ""
        self.cc = bool(m["cc"])
        self.version = m["version"] or ""
        self.promo = bool(m["promo"])

    def series(self):
        """The series key used in the tables below: Dsv5, DSv2, Dv2_Promo, DCas_cc_v5,
        NCas_T4_v3, NC. A constrained-vCPU size (Standard_E4-2s_v5) is in its parent's series."""
        key = self.family + self.features
        if self.accel:
            key += "_" + self.accel + "_" + self.version
        elif self.cc:
            key += "_cc_" + self.version
        else:
            key += self.version
        return key + ("_Promo" if self.promo else "")


# Series Azure lists as previous generation (https://learn.microsoft.com/azure/virtual-machines/
# sizes/previous-gen-sizes-list, 2025-06 version) or as retired / announced for retirement
# (.../sizes/retirement/retired-sizes-list and the series' retirement guides), by series key.
PREVIOUS_GENERATION = {
    # Av1 (Basic and Standard A0-A11; retired 2024-08-31), Av2 and Amv2 (retiring 2028-11-15)
    "A", "Av2", "Amv2",
    # B-series v1 (capacity limited, retiring 2028-11-15)
    "Bs", "Bms", "Bls",
    # D, Ds, Dv2, Dsv2 (retiring 2028-05-01), Dv3 and Dsv3 (previous-gen)
    "D", "DS", "Dv2", "DSv2", "Dv3", "Dsv3",
    # DCsv2 (retiring 2026-06-30, DC8_v2 is one of its sizes), DCsv3/DCdsv3 (retiring
    # 2029-10-31), DCas_cc_v5/DCads_cc_v5 and ECas_cc_v5/ECads_cc_v5 (retiring 2026-08-01)
    "DCv2", "DCsv2", "DCsv3", "DCdsv3", "DCas_cc_v5", "DCads_cc_v5", "ECas_cc_v5",
    "ECads_cc_v5",
    # F, Fs, Fsv2 (retiring 2028-11-15)
    "F", "Fs", "Fsv2",
    # Ev3/Esv3, Ev4/Esv4, Eav4/Easv4, Edv4/Edsv4 (previous-gen), isolated sizes included
    "Ev3", "Esv3", "Eiv3", "Eisv3", "Ev4", "Esv4", "Eisv4", "Eav4", "Easv4", "Eiasv4", "Edv4",
    "Edsv4", "Eidsv4",
    # G, GS (retiring 2028-11-15)
    "G", "GS",
    # Ls (v1, retiring 2028-05-01), Lsv2 (retiring 2028-11-15)
    "Ls", "Lsv2",
    # M192i*_v2 (retiring 2027-03-31)
    "Misv2", "Mimsv2", "Midsv2", "Midmsv2",
    # HB (v1, retirement announced 2023 for 2024-08-31), HBv2 and HC (retiring 2027-05-31)
    "HBrs", "HBrsv2", "HCrs",
    # NC, NCv2, ND, NV (v1) retired 2023-09-06; NCv3 retired 2025-09-30; NVv3, NVv4 retiring
    # 2026-09-30
    "NC", "NCr", "NCsv3", "NCrsv3", "NV", "NVsv3", "NVasv4",
}


def previous_generation(s):
    return s.tier == "Basic" or s.series().removesuffix("_Promo") in PREVIOUS_GENERATION


# Quota families whose names do not follow the pattern in quota_class(), by series key. Sources:
# V = a Resource SKUs API response recorded by Azure's Karpenter provider (its
#     pkg/fake/zz_generated.sku.*.go, generated 2025-06-03 from the live API);
# O = OpenShift's Azure installation docs, "Tested instance types for Azure" (VM series -> family
#     name tables, 2026);
# M = Azure Migrate's VirtualMachineFamily list;
# G = guessed by analogy with the series' siblings (no source found): check against the live
#     usage API before relying on it.
QUOTA_FAMILY = {
    "Basic_A": "basicAFamily",  # M
    "A0_A7": "standardA0_A7Family",  # V (Standard_A0)
    "A8_A11": "standardA8_A11Family",  # M
    "Av2": "standardAv2Family", "Amv2": "standardAv2Family",  # M
    "Bs": "standardBSFamily", "Bms": "standardBSFamily", "Bls": "standardBSFamily",  # V, O
    "Bsv2": "standardBsv2Family", "Blsv2": "standardBsv2Family", "Btsv2": "standardBsv2Family",  # O
    "Basv2": "standardBasv2Family", "Balsv2": "standardBasv2Family",  # O
    "Batsv2": "standardBasv2Family",  # O
    "Bpsv2": "standardBpsv2Family", "Bplsv2": "standardBpsv2Family",  # O
    "Bptsv2": "standardBpsv2Family",  # O
    "Dv2_Promo": "standardDv2PromoFamily", "DSv2_Promo": "standardDSv2PromoFamily",  # M
    "DCv2": "standardDCSv2Family",  # O (DC8_v2 is a DCsv2 size)
    "DCdsv3": "standardDDCSv3Family",  # O
    "DCesv5": "standardDCEV5Family", "DCedsv5": "standardDCEDV5Family",  # O
    "ECesv5": "standardECEV5Family", "ECedsv5": "standardECEDV5Family",  # O
    "DCas_cc_v5": "standardDCACCV5Family", "DCads_cc_v5": "standardDCADCCV5Family",  # O
    "ECas_cc_v5": "standardECACCV5Family", "ECads_cc_v5": "standardECADCCV5Family",  # O
    "Eisv4": "standardXEISv4Family",  # O
    "Eidsv4": "standardXEIDSv4Family",  # G
    "FXmds": "standardFXMDVSFamily",  # O
    "HBrs": "standardHBSFamily",  # M
    "HBrsv2": "standardHBrsv2Family",  # O
    "HBrsv3": "standardHBv3Family",  # G (HBv4, HBv5 are standardHBv4Family, standardHBv5Family)
    "HBrsv4": "standardHBv4Family", "HBsv4": "standardHBv4Family",  # O
    "HCrs": "standardHCSFamily",  # O
    "HXrs": "standardHXFamily", "HXs": "standardHXFamily",  # O
    # M-series v1: one family (V: Standard_M8-2ms)
    "M": "standardMSFamily", "Mm": "standardMSFamily", "Mms": "standardMSFamily",
    "Ms": "standardMSFamily", "Mls": "standardMSFamily", "Mts": "standardMSFamily",
    # Mv2 (208 and 416 vCPUs) and Msv2/Mdsv2 Medium Memory (up to 192 vCPUs): see m_family()
    "Misv2": "standardMISMediumMemoryv2Family", "Mimsv2": "standardMISMediumMemoryv2Family",  # O
    "Mdsv2": "standardMDSMediumMemoryv2Family", "Mdmsv2": "standardMDSMediumMemoryv2Family",  # O
    "Midsv2": "standardMIDSMediumMemoryv2Family",  # O
    "Midmsv2": "standardMIDSMediumMemoryv2Family",  # O
    "Msv3": "standardMSMediumMemoryv3Family", "Mdsv3": "standardMDSMediumMemoryv3Family",  # O
    "NC": "standardNCFamily", "NCr": "standardNCFamily",  # M
    "NC_Promo": "standardNCPromoFamily", "NCr_Promo": "standardNCPromoFamily",  # M
    "NCrsv3": "standardNCSv3Family",  # G (the RDMA size of NCv3)
    "NCas_T4_v3": "standardNCASv3_T4Family",  # V ("Standard NCASv3_T4 Family"), O
    "NCads_A100_v4": "StandardNCADSA100v4Family",  # V, O
    "NCads_A10_v4": "StandardNCADSA10v4Family",  # G
    "NCads_H100_v5": "StandardNCadsH100v5Family",  # O
    "NCadis_H100_v5": "StandardNCadisH100v5Family",  # G
    "NCCads_H100_v5": "StandardNCCads2023Family",  # O
    "NDamsr_A100_v4": "standardNDAMSv4_A100Family",  # O
    "NDasrv4": "standardNDASv4_A100Family",  # O ("Standard NDASv4_A100 Family")
    "NDisr_H100_v5": "standardNDSH100v5Family",  # O
    "NDrsv2": "standardNDSv2Family",  # O
    "NGads_V620_v1": "StandardNGADSV620v1Family", "NGadms_V620_v1": "StandardNGADSV620v1Family",  # O
    "NV": "standardNVFamily", "NV_Promo": "standardNVPromoFamily",  # M
    "NVasv4": "standardNVSv4Family",  # M
    "NVads_A10_v5": "StandardNVADSA10v5Family", "NVadms_A10_v5": "StandardNVADSA10v5Family",  # O
}


def quota_class(s):
    """The usage API's quota family for a size.

    Most follow one pattern: 'standard' + series letters + additive features in capitals +
    version + 'Family' (Standard_D4s_v5 -> standardDSv5Family, Standard_E4d_v5 ->
    standardEDv5Family, Standard_DS2_v2 -> standardDSv2Family, Standard_F16s_v2 ->
    standardFSv2Family, Standard_L8s -> standardLSFamily; all confirmed by sources V or O). A
    constrained-vCPU size (Standard_E4-2s_v5) counts under its parent's family. The rest are in
    QUOTA_FAMILY.
    """
    if s.tier == "Basic":
        return QUOTA_FAMILY["Basic_A"]
    if s.family == "A" and not s.version:
        return QUOTA_FAMILY["A0_A7" if s.number <= 7 else "A8_A11"]
    key = s.series()
    if s.family == "M" and s.version == "v2" and s.features in ("s", "ms"):
        # Mv2 (208, 416 vCPUs) vs Msv2 Medium Memory (32 to 192 vCPUs), by size
        return "standardMSv2Family" if s.number >= 208 else "standardMSMediumMemoryv2Family"
    if key in QUOTA_FAMILY:
        return QUOTA_FAMILY[key]
    return "standard" + s.family + s.features.upper() + s.version + "Family"


def arch(s):
    return "arm64" if s.family in ("B", "D", "E") and "p" in s.features else "x86_64"


def num(text):
    return ("%f" % float(text)).rstrip("0").rstrip(".")


def main():
    rows, skipped = [], 0
    for r in csv.DictReader(open(SHARED / "azure-vms.csv")):
        if not r["Price"]:
            skipped += 1  # not sold pay-as-you-go
            continue
        s = Size(r["InstanceType"])
        rows.append([
            s.name, num(r["vCPUs"]), num(r["MemoryGiB"]), arch(s), 0, r["Region"], "",
            r["Price"], r["SpotPrice"], "",
            str(s.family == "B").lower(),
            str(s.family.startswith("N") or s.family == "PB").lower(),
            str(previous_generation(s)).lower(),
            quota_class(s), ""])
    rows.sort(key=lambda row: (row[5], row[0]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["instance_type", "vcpus", "memory_gib", "arch", "storage_gb", "region", "zone",
                    "on_demand_price", "spot_price", "spot_max_price", "burstable", "accelerated",
                    "previous_generation", "quota_class", "interruption_rate"])
        w.writerows(rows)
    print(f"{OUT}: {len(rows)} offers ({sum(1 for r in rows if not r[8])} on-demand only), "
          f"{skipped} rows without a pay-as-you-go price left out")


if __name__ == "__main__":
    main()
