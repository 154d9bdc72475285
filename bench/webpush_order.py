"""Web Push of one evacuation order to 3,000 browsers (issue 17): from the order's commit to the last push message
accepted by the local push service, which answers each request after 50 ms, checks its VAPID JWT and decrypts
its aes128gcm payload with the subscription's keys (toki/notify/webpush/localpush.py, in its own process).

A temporary SQLite database (migrate; the Sado profile and personas; N web push subscribers — subscriptions the
local service made, as browsers would — spread over the ten districts, a quarter for the whole island, a fifth in
English), `manage.py run_worker` processes already running with `notify_sweep --loop` and `events_sweep --loop`,
then alice issues a Level 4 order for every district through the real action. A worker plans it (batches of 100
subscriptions), the workers send: NOTIFY_SEND_THREADS batches at once per worker, each batch's 100 requests
TOKI_WEBPUSH_THREADS at a time (the transport's bounded pool). Figures:

    plan        commit → the first batch attempt
    total       commit → the last push message accepted by the push service (target: under 5 s)
    encryption  µs per message: pywebpush's RFC 8291 encryption (an ephemeral ECDH key pair, ECDH, HKDF,
                AES-128-GCM) against a plain AES-128-GCM of the same payload, and the VAPID signature (once per
                push service origin per batch in the transport, cached 11 h) — measured in this process

Reference in the same run: the same number of requests sent straight from this process with the same transport and
as many requests in flight as the workers have (workers × send threads × push threads), no database: the floor.

    .venv/bin/python bench/webpush_order.py [--subscribers 3000] [--workers 2] [--threads 4] [--push-threads 16]
        [--latency-ms 50] [--rq redis://127.0.0.1:6379/1]
"""

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import REPO, format_table, machine_info, process_tree_cpu_s, run_main, write_results

NAME = "webpush_order"
PORT = 18170
SUBJECT = "mailto:bench@example.jp"


def setup_django(env: dict) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toki.settings")
    import django

    django.setup()


def seed_subscribers(path: str) -> None:
    """(In the scenario's process, with its DATABASE_URL.) The profile, then one Subscriber per subscription in the
    file: the address register_subscription stores, bulk-inserted (3,000 register transactions would only slow
    the preparation)."""
    import random

    from django.conf import settings

    from toki.areas.actions import load_profile
    from toki.notify.models import Category, Channel, Subscriber
    from toki.notify.webpush.subscription import parse

    municipality = load_profile(settings.TOKI_MUNICIPALITY_PROFILE)
    districts = list(municipality.districts.all())
    subscriptions = json.loads(Path(path).read_text())
    rng = random.Random(17)
    rows = [Subscriber(municipality=municipality, channel=Channel.WEBPUSH, address=parse(s).as_address(),
                       language="en" if i % 5 == 0 else "ja", all_districts=i % 4 == 0,
                       categories=list(Category.values)) for i, s in enumerate(subscriptions)]
    Subscriber.objects.bulk_create(rows, batch_size=1000)
    through = Subscriber.districts.through
    through.objects.bulk_create((through(subscriber_id=s.pk, district_id=rng.choice(districts).pk)
                                 for s in rows if not s.all_districts), batch_size=1000)
    print(json.dumps({"subscribers": len(rows)}))


def encryption_cost(samples: int = 2000) -> dict:
    """µs per message of the transport's encryption and of the reference, same payload, this process."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from pywebpush import WebPusher

    from toki.notify.webpush import vapid
    from toki.notify.webpush.ece import BrowserKeys, subscription_json

    payload = json.dumps({"title": "【避難指示】警戒レベル4 両津・相川・佐和田", "short": "土砂災害の危険",
                          "body": "避難してください。" * 40,
                          "url": "https://bousai.example.jp/alerts/1", "category": "evacuation_orders",
                          "key": "alert:1", "kind": "new"}, ensure_ascii=False).encode()
    browsers = [BrowserKeys.generate() for _ in range(50)]
    pushers = [WebPusher(subscription_json("https://push.example/x", b)) for b in browsers]

    def per_message(fn) -> float:
        started = time.perf_counter()
        for i in range(samples):
            fn(i)
        return (time.perf_counter() - started) / samples * 1e6

    aes = AESGCM(os.urandom(16))
    signer_keys = vapid.generate()
    return {
        "payload_bytes": len(payload),
        "webpush_encrypt_us": per_message(lambda i: pushers[i % 50].encode(payload, "aes128gcm")),
        "plain_aes128gcm_us": per_message(lambda i: aes.encrypt(os.urandom(12), payload, None)),
        "vapid_sign_us": per_message(lambda i: signer_keys.sign({"aud": "https://push.example", "sub": SUBJECT})),
        # one encryption and one decryption: main() subtracts the encryption
        "decrypt_rfc8291_us": per_message(lambda i: browsers[0].decrypt(pushers[0].encode(payload)["body"])),
    }


def reference(base_url: str, subscriptions: list[dict], private_key: str, in_flight: int) -> float:
    """Seconds to send one message to every subscription with the production transport, `in_flight` requests at a
    time (batches of 100 on in_flight / push_threads threads), no database."""
    from django.test import override_settings

    from toki.notify.channels import Content
    from toki.notify.webpush.subscription import parse
    from toki.notify.webpush.transport import BATCH_SIZE, WebPushTransport

    push_threads = min(16, in_flight)
    transport = WebPushTransport(private_key=private_key, subject=SUBJECT, ttl=3600, timeout=15,
                                 threads=push_threads)
    [message] = transport.render(Content("ja", "参照 避難指示", "参照", "参照: 佐渡市 避難指示", "https://x/",
                                         category="evacuation_orders", key="ref:1", kind="new"))
    with override_settings(TOKI_WEBPUSH_ENDPOINT_HOSTS=[base_url]):
        addresses = [parse(s).as_address() for s in subscriptions]
    batches = [addresses[i:i + BATCH_SIZE] for i in range(0, len(addresses), BATCH_SIZE)]

    def one(batch):  # a transport per batch, as the outbox makes one (transport_for) per batch
        sender = WebPushTransport(private_key=private_key, subject=SUBJECT, ttl=3600, timeout=15,
                                  threads=push_threads)
        return sender.send(batch, [message], retry_key=str(uuid.uuid4()))

    started = time.monotonic()
    with ThreadPoolExecutor(max(1, in_flight // push_threads)) as pool:
        results = list(pool.map(one, batches))
    elapsed = time.monotonic() - started
    assert all(r.outcome.value == "accepted" for r in results), [r.error for r in results if r.error][:3]
    return elapsed


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "seed":
        setup_django({})
        seed_subscribers(sys.argv[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="NOTIFY_SEND_THREADS of each worker")
    parser.add_argument("--push-threads", type=int, default=16, help="TOKI_WEBPUSH_THREADS (per batch)")
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--rq", default="", metavar="REDIS_URL",
                        help="run the tasks on RQ with this Redis database (flushed first), not the database queue")
    args = parser.parse_args()

    from toki.notify.tests.broadcast_scenario import Scenario
    from toki.notify.webpush.localpush_process import LocalPushProcess

    setup_django({})
    from toki.notify.webpush import vapid

    keys = vapid.generate()
    private_key, public_key = vapid.private_key_b64(keys), vapid.public_key(keys)
    machine = machine_info()
    with tempfile.TemporaryDirectory(prefix="toki-bench-webpush-") as workdir, \
            LocalPushProcess(PORT, latency_ms=args.latency_ms) as push:
        env = {"NOTIFY_SEND_THREADS": str(args.threads), "LOG_LEVEL": "INFO",
               "TOKI_WEBPUSH_VAPID_PRIVATE_KEY": private_key, "TOKI_WEBPUSH_VAPID_SUBJECT": SUBJECT,
               "TOKI_WEBPUSH_ENDPOINT_HOSTS": push.base_url, "TOKI_WEBPUSH_THREADS": str(args.push_threads),
               "TOKI_WEBPUSH_TTL": "3600"}
        if args.rq:
            import redis

            redis.Redis.from_url(args.rq).flushdb()
            env.update({"TOKI_TASKS": "rq", "REDIS_URL": args.rq})
        scenario = Scenario(Path(workdir), line_url="http://127.0.0.1:9", lease_seconds=30, extra_env=env)
        prepare = time.monotonic()
        subscriptions = push.client.subscribe(args.subscribers, public_key)
        path = Path(workdir) / "subscriptions.json"
        path.write_text(json.dumps(subscriptions))
        scenario.migrate()
        scenario.run("bench/webpush_order.py", "seed", str(path))
        try:
            for _ in range(args.workers):
                scenario.start_worker()
            scenario.start_sweep(interval=2)
            deadline = time.monotonic() + 300
            log = Path(workdir) / "worker.log"
            while (log.read_text(errors="replace") if log.exists() else "").count("worker warmed up") < args.workers:
                if time.monotonic() > deadline:
                    raise TimeoutError("the workers did not start")
                time.sleep(0.5)
            time.sleep(2)
            prepare_s = time.monotonic() - prepare
            assert push.process is not None
            service = push.process
            cpu_before = [process_tree_cpu_s(p.pid) for p in (*scenario.workers, service)]
            seeded = scenario.seed(0)  # alice issues the order: committed_at
            final = scenario.wait_until_done(timeout=300)
            cpu_after = [process_tree_cpu_s(p.pid) for p in (*scenario.workers, service)]
        finally:
            scenario.stop_all()
        stats = push.client.stats()
        refused = push.client.refused()
        sample = push.client.messages(subscriptions[0]["endpoint"])
        push.client.reset()
        in_flight = args.workers * args.threads * args.push_threads
        reference_s = reference(push.base_url, subscriptions, private_key, in_flight)
    costs = encryption_cost()
    load_after = [round(x, 2) for x in os.getloadavg()]

    committed = seeded["committed_at"]
    plan_s = final["first_attempt_at"] - committed
    total_s = stats["last_accepted_at"] - committed
    send_s = stats["last_accepted_at"] - stats["first_accepted_at"]
    batches = sum(final["batches"].values())
    decrypt_us = costs["decrypt_rfc8291_us"] - costs["webpush_encrypt_us"]
    cpu = [after - before for before, after in zip(cpu_before, cpu_after, strict=True)]
    workers_cpu_ms, service_cpu_ms = sum(cpu[:-1]) * 1000 / args.subscribers, cpu[-1] * 1000 / args.subscribers
    rows = [
        ["subscribers (web push subscriptions)", args.subscribers],
        ["task queue", f"RQ ({args.rq})" if args.rq else "database (SQLite, polled every 0.5 s)"],
        ["workers × send threads × push threads", f"{args.workers} × {args.threads} × {args.push_threads}"
                                                  f" = {in_flight} requests in flight at most"],
        ["batches (≤ 100 subscriptions, one request each)", batches],
        ["push requests / accepted (201)", f"{stats['posts']} / {stats['statuses'].get('201', 0)}"],
        ["refused by the push service (VAPID, TTL, decryption …)", len(refused)],
        ["plan: commit → first batch attempt", f"{plan_s:.2f} s"],
        ["send: first → last accepted by the push service", f"{send_s:.2f} s"],
        ["**total: commit → last accepted**", f"**{total_s:.2f} s** (target < 5 s)"],
        ["requests/s during send", f"{stats['posts'] / send_s:.0f}" if send_s > 0 else "–"],
        ["reference: same requests, transport only, no DB", f"{reference_s:.2f} s"],
        ["CPU per message: workers (plan + send) / local push service", f"{workers_cpu_ms:.2f} ms / "
                                                                        f"{service_cpu_ms:.2f} ms"],
        ["encryption per message (pywebpush aes128gcm)", f"{costs['webpush_encrypt_us']:.0f} µs"],
        ["reference: plain AES-128-GCM of the same payload", f"{costs['plain_aes128gcm_us']:.1f} µs"],
        ["VAPID ES256 signature (per origin and batch, not per message)", f"{costs['vapid_sign_us']:.0f} µs"],
        ["RFC 8291 decryption in the local service (per message)", f"{decrypt_us:.0f} µs"],
        ["payload", f"{costs['payload_bytes']} bytes"],
        ["subscriptions with a message / most messages held by one",
         f"{stats['subscriptions_with_messages']} of {args.subscribers} / {stats['max_per_subscription']}"],
    ]
    print(f"\nWeb Push of an evacuation order, {args.subscribers} subscriptions, push service latency "
          f"{args.latency_ms:.0f} ms ({machine['cores']} cores, {machine['cpu']}; shared machine; preparation "
          f"{prepare_s:.0f} s; load average {machine['load_average_1_5_15']} before, {load_after} after)\n")
    print(format_table(["figure", "value"], rows))
    data = {"name": NAME, "machine": machine, "args": vars(args), "batches": batches, "final": final,
            "push_service": stats, "refused_sample": refused[:5], "plan_s": plan_s, "send_s": send_s,
            "total_s": total_s, "reference_s": reference_s, "workers_cpu_ms_per_message": workers_cpu_ms,
            "service_cpu_ms_per_message": service_cpu_ms, "encryption": {**costs, "decrypt_rfc8291_us": decrypt_us},
            "sample_message": json.loads(sample[0]["payload"]) if sample else None, "load_after": load_after}
    print(f"results: {write_results(NAME, data).relative_to(REPO)}")
    ok = (stats["subscriptions_with_messages"] == args.subscribers and stats["max_per_subscription"] == 1
          and not refused and final["deliveries"] == {"accepted": args.subscribers})
    return 0 if ok else 1


if __name__ == "__main__":
    run_main(main)
