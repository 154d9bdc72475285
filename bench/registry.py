"""The register (issue 16, part 1): the CSV import with criteria, keyed-hash search, and a district list
decrypted and drawn, each beside a reference measured in the same run.

A child process migrates a fresh SQLite database (PostgreSQL too with --postgres URL), loads the Sado profile and
personas, and measures through the real code:

    import      `registry.importing.import_csv` of N residents (default 50,000), of whom about one in ten meets
                the default criteria (→ a register of ~5,000). Reference: the standard library's csv reader
                over the same bytes. Target: under 60 s.
    search      `registry.selectors.search` by kana on a register of N people (bulk-loaded for the run), as a
                registry officer (blind index, decrypt of the hit, an access-log row). Reference: the bare
                indexed query on the blind-index column. Target: p95 under 50 ms.
    list        GET /registry/districts/<id>/ of a district of 500 people (no imported ones) as the officer
                (decrypt, log, render). The encryption's share: decrypting the same 500 people's stored
                values alone. Target: p95 under 200 ms.

    .venv/bin/python bench/registry.py [--residents 50000] [--lookups 200] [--lists 20] [--postgres URL]
"""

import argparse
import csv
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO, BenchError, django_world, format_table, machine_info, percentile, run_main, write_results

NAME = "registry"
TARGETS = {"import_s": 60.0, "search_p95_ms": 50.0, "list_p95_ms": 200.0}
KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"


def kana_name(rng: random.Random) -> str:
    return "".join(rng.choice(KANA) for _ in range(4)) + " " + "".join(rng.choice(KANA) for _ in range(3))


def resident_csv(count: int, districts: list[str], rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["source_id", "name", "name_kana", "birth_date", "address", "district", "phone", "care_level",
                     "physical_grade", "lives_alone", "emergency_contacts", "support_reason"])
    for i in range(count):
        qualifies = i % 10 == 0
        birth = f"19{rng.randint(20, 60)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
        writer.writerow([f"B{i:06d}", f"住民 {i}", kana_name(rng), birth,
                         f"佐渡市ベンチ町{i}", rng.choice(districts), f"0259-{i % 100:02d}-{i % 10000:04d}",
                         "要介護4" if qualifies else rng.choice(["", "要支援1", "要介護1"]), "", "1",
                         f"家族 {i}|長男|090-0000-{i % 10000:04d}", "歩行困難"])
    return out.getvalue().encode()


def child(residents: int, lookups: int, lists: int) -> dict:
    keys = os.environ
    assert keys.get("TOKI_REGISTRY_KEYS") and keys.get("TOKI_REGISTRY_INDEX_KEY")
    municipality, alice = django_world()
    from django.db import connection
    from django.test import Client

    from toki.registry import crypto, selectors
    from toki.registry.importing import import_csv
    from toki.registry.models import PERSON_FIELDS, Person

    rng = random.Random(16)
    # The listed district gets exactly the 500 bulk-loaded people (no imported ones).
    district = municipality.districts.order_by("sort_order", "code").last()
    codes = [d.code for d in municipality.districts.exclude(pk=district.pk)]
    data = resident_csv(residents, codes, rng)

    began = time.perf_counter()
    rows_read = sum(1 for _ in csv.DictReader(io.StringIO(data.decode())))
    reference_s = time.perf_counter() - began
    began = time.perf_counter()
    result = import_csv(actor=alice, data=data, file_name="bench.csv", municipality=municipality)
    import_s = time.perf_counter() - began

    # A register of `residents` people for the search (bulk-loaded: the setup is not what is measured).
    template = Person.objects.earliest("id")
    names, batch = [], []
    for i in range(residents - Person.objects.count()):
        kana = kana_name(rng)
        names.append(kana)
        person = Person(district=district if i < 500 else template.district, name=f"検索 {i}", name_kana=kana,
                        birth_date=template.birth_date, address=template.address, phone=template.phone,
                        support_reason=template.support_reason, care_level=template.care_level,
                        lives_with="alone", emergency_contacts=template.emergency_contacts,
                        inclusion_reasons=["care_level"], source_index=f"bench-{i}")
        person.refresh_indexes()
        batch.append(person)
        if len(batch) == 2000:
            Person.objects.bulk_create(batch)
            batch = []
    Person.objects.bulk_create(batch)
    register = Person.objects.count()

    search_ms, bare_ms = [], []
    for kana in rng.sample(names, lookups):
        began = time.perf_counter()
        found = selectors.search(alice, kana=kana, purpose="drill")
        search_ms.append((time.perf_counter() - began) * 1000)
        if not found:
            raise BenchError("a search found nobody")
        index = crypto.kana_index(kana)
        began = time.perf_counter()
        list(Person.objects.filter(kana_index=index).values_list("id", flat=True))
        bare_ms.append((time.perf_counter() - began) * 1000)

    in_district = Person.objects.filter(district=district).count()
    client = Client(HTTP_HOST="localhost")
    client.force_login(alice)
    url = f"/registry/districts/{district.pk}/?purpose=drill"
    client.get(url)  # warm-up
    list_ms = []
    for _ in range(lists):
        began = time.perf_counter()
        response = client.get(url)
        list_ms.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise BenchError(f"the district list answered {response.status_code}")
    columns = [f.column for f in Person._meta.concrete_fields if f.name in PERSON_FIELDS and f.column]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(quote(c) for c in columns)} FROM registry_person "  # noqa: S608
                       "WHERE district_id = %s", [district.pk])
        stored = [value for row in cursor.fetchall() for value in row if value]
    decrypt_ms = []
    for _ in range(5):
        began = time.perf_counter()
        for value in stored:
            crypto.decrypt(value)
        decrypt_ms.append((time.perf_counter() - began) * 1000)
    return {
        "backend": connection.vendor, "residents": residents, "rows_read": rows_read,
        "import": {"seconds": import_s, "reference_csv_read_s": reference_s, "created": result.created,
                   "not_meeting_criteria": result.not_meeting_criteria},
        "register": register,
        "search_ms": {"median": statistics.median(search_ms), "p95": percentile(search_ms, 95),
                      "bare_median": statistics.median(bare_ms), "bare_p95": percentile(bare_ms, 95),
                      "lookups": lookups},
        "list_ms": {"people": in_district, "median": statistics.median(list_ms), "p95": percentile(list_ms, 95),
                    "decrypt_median": statistics.median(decrypt_ms), "values_decrypted": len(stored)},
    }


def measure(database_url: str, args) -> dict:
    from cryptography.fernet import Fernet

    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "ERROR", "TOKI_VAR_DIR": args.tmp,
           "ALLOWED_HOSTS": "localhost",
           "TOKI_REGISTRY_KEYS": f"b1={Fernet.generate_key().decode()}",
           "TOKI_REGISTRY_INDEX_KEY": "bench-index-key-" + "0" * 32}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, __file__, "--child", "--residents", str(args.residents), "--lookups",
                           str(args.lookups), "--lists", str(args.lists)], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=1800)
    if done.returncode != 0:
        raise BenchError(f"the {database_url.split(':')[0]} run failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=50_000)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--lists", type=int, default=20)
    parser.add_argument("--postgres", default="", help="also on PostgreSQL: a database URL it may drop and create")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.residents, args.lookups, args.lists)))
        return 0
    machine = machine_info()
    results = []
    with tempfile.TemporaryDirectory(prefix="toki-bench-registry-") as tmp:
        args.tmp = tmp
        results.append(measure(f"sqlite:///{Path(tmp) / 'registry.sqlite3'}", args))
        if args.postgres:
            from _common import fresh_postgres

            results.append(measure(fresh_postgres(args.postgres), args))
    rows, ok = [], True
    for r in results:
        imp, search, listing = r["import"], r["search_ms"], r["list_ms"]
        share = listing["decrypt_median"] / listing["median"] * 100
        rows += [
            [r["backend"], f"import {r['residents']:,} → {imp['created']:,}", f"{imp['seconds']:.1f} s",
             f"csv read alone {imp['reference_csv_read_s']:.2f} s", f"< {TARGETS['import_s']:.0f} s"],
            [r["backend"], f"search by kana ({r['register']:,} rows)", f"p95 {search['p95']:.1f} ms "
             f"(median {search['median']:.1f})", f"bare index query p95 {search['bare_p95']:.2f} ms",
             f"p95 < {TARGETS['search_p95_ms']:.0f} ms"],
            [r["backend"], f"district list ({listing['people']} people)", f"p95 {listing['p95']:.0f} ms "
             f"(median {listing['median']:.0f})", f"decrypting alone {listing['decrypt_median']:.0f} ms "
             f"({share:.0f} %)", f"p95 < {TARGETS['list_p95_ms']:.0f} ms"],
        ]
        ok &= imp["seconds"] < TARGETS["import_s"] and search["p95"] < TARGETS["search_p95_ms"]
        ok &= listing["p95"] < TARGETS["list_p95_ms"]
    print(format_table(["database", "what", "measured", "reference (same run)", "target"], rows))
    print(f"load average (1, 5, 15 min) at the start: {machine['load_average_1_5_15']}, {machine['cores']} cores")
    path = write_results(NAME, {"machine": machine, "results": results, "targets": TARGETS, "ok": ok})
    print(f"results: {path.relative_to(REPO)}; {'OK' if ok else 'TARGET MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    run_main(main)
