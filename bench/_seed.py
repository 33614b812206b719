"""Shared by the PostgreSQL benchmarks: a throw-away database, COPY loading, and a seeded catalogue of
resources, reviews and endorsements with realistic medical vocabulary (so search selectivity is real)."""

import hashlib
import os
import random
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = (  # noqa: SIM905 - one readable block of vocabulary
    "sepsis shock fluids vasopressors noradrenaline lactate antibiotics airway intubation ketamine rocuronium "
    "hyperkalaemia calcium insulin dialysis ecg stemi troponin anticoagulation heparin stroke thrombolysis "
    "paediatric fever bronchiolitis croup asthma salbutamol magnesium anaphylaxis adrenaline trauma haemorrhage "
    "tranexamic transfusion pelvic binder burns toxicology paracetamol overdose naloxone digoxin lithium seizure "
    "status epilepticus delirium agitation pain analgesia ultrasound pocus echocardiography pneumothorax dvt "
    "pulmonary embolism syncope arrhythmia atrial fibrillation cardioversion resuscitation cardiac arrest cpr "
    "ventilation hypoxia oxygen copd pneumonia meningitis diabetic ketoacidosis hyponatraemia renal injury "
    "obstetric eclampsia haemorrhage neonatal sedation procedural fracture dislocation wound laceration"
).split()


def setup_django(pg: str, name: str, *, fresh: bool = True) -> None:
    """Point Django at database `name` and migrate it: a new empty one, or (fresh=False) the one left
    by an earlier run with --keep, created if missing."""
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if fresh or not exists:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "false",
            "DATABASE_URL": f"{pg}/{name}",
            "VAR_DIR": tempfile.mkdtemp(prefix="foam-bench-metrics-"),
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def drop_database(pg: str, name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def copy_rows(model: type, columns: list[str], rows: object) -> int:
    """Stream rows into a table with COPY (the only way to load 1.4M rows in seconds)."""
    from django.db import connection

    table = model._meta.db_table  # type: ignore[attr-defined]
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:  # type: ignore[attr-defined]
                copy.write_row(row)
                count += 1
    return count


def seed(resource_count: int) -> dict[str, int]:
    from datetime import timedelta

    from django.utils import timezone
    from psycopg.types.json import Jsonb

    from curation.models import Endorsement, InstrumentVersion, Resource, Review, Source, User

    rng = random.Random(42)
    now = timezone.now()
    learners = [User(username=f"learner{n}", password="!", role="learner", email="") for n in range(10_000)]
    experts = [User(username=f"expert{n}", password="!", role="expert", email="") for n in range(300)]
    User.objects.bulk_create(learners + experts, batch_size=5000)
    learner_ids = list(User.objects.filter(role="learner").values_list("id", flat=True))
    expert_ids = list(User.objects.filter(role="expert").values_list("id", flat=True))
    sources = Source.objects.bulk_create(
        [Source(title=f"S{n}", feed_url=f"https://s{n}.example.org/feed/") for n in range(100)]
    )
    source_ids = [s.pk for s in sources]
    resource_columns = [
        "public_id",
        "source_id",
        "identity_key",
        "guid",
        "canonical_url",
        "title",
        "authors",
        "published_at",
        "summary",
        "text",
        "content_hash",
        "work_key",
        "previous_content_hash",
        "language",
        "enclosure_url",
        "enclosure_type",
        "transcript_urls",
        "chapters_url",
        "video_id",
        "is_short",
        "thumbnail_url",
        "status",
        "liveness",
        "liveness_detail",
        "podcast",
        "created_at",
        "modified_at",
    ]
    copy_rows(
        Resource,
        resource_columns,
        (
            [
                uuid.uuid4(),
                source_ids[n % 100],
                f"{n:064x}",
                "",
                f"https://example.org/{n}",
                _title(rng),
                Jsonb([]),
                now - timedelta(hours=n),
                f"<p>{_words(rng, 30)}</p>",
                _words(rng, 90),
                "",
                hashlib.sha256(f"url:https://example.org/{n}".encode()).hexdigest(),  # as harvesting keys it
                "",
                "en",
                "",
                "",
                Jsonb([]),
                "",
                "",
                False,
                "",
                "visible",
                "unknown",
                "",
                Jsonb({}),
                now,
                now,
            ]
            for n in range(resource_count)
        ),
    )
    resource_ids = list(Resource.objects.order_by("id").values_list("id", flat=True))
    versions = list(InstrumentVersion.objects.filter(instrument__slug__in=["air", "rmetriq", "gestalt"]))
    review_columns = [
        "public_id",
        "resource_id",
        "reviewer_id",
        "instrument_version_id",
        "scores",
        "total",
        "comments",
        "conflict_of_interest",
        "status",
        "held_for_confidentiality",
        "judged_content_hash",
        "created_at",
        "modified_at",
        "submitted_at",
    ]

    def reviews():  # type: ignore[no-untyped-def]
        for index, resource_id in enumerate(resource_ids):
            for slot in range(3):
                version = versions[(index + slot) % len(versions)]
                yield [
                    uuid.uuid4(),
                    resource_id,
                    expert_ids[(index * 3 + slot) % len(expert_ids)],
                    version.pk,
                    Jsonb({}),
                    float(rng.randint(version.total_min, version.total_max)),
                    "",
                    "None",
                    "submitted",
                    False,
                    "",
                    now,
                    now,
                    now,
                ]

    review_count = copy_rows(Review, review_columns, reviews())
    endorsement_columns = [
        "public_id",
        "user_id",
        "resource_id",
        "kind",
        "status",
        "note",
        "hold_reason",
        "created_at",
        "modified_at",
    ]

    def endorsements():  # type: ignore[no-untyped-def]
        for index, resource_id in enumerate(resource_ids):
            for slot in range(10):
                kind = "expert" if slot == 9 else "learner"
                yield [
                    uuid.uuid4(),
                    learner_ids[(index * 10 + slot) % len(learner_ids)],
                    resource_id,
                    kind,
                    "counted",
                    "",
                    "",
                    now,
                    now,
                ]

    endorsement_count = copy_rows(Endorsement, endorsement_columns, endorsements())
    from django.db import connection

    with connection.cursor() as cursor:
        # What autovacuum does soon after a bulk load in production: statistics, and the visibility
        # map that lets index-only scans skip the heap (a catalogue in service is in this state).
        cursor.execute("VACUUM ANALYZE")
    return {"resources": len(resource_ids), "reviews": review_count, "endorsements": endorsement_count}


def _vocabulary() -> tuple[list[str], list[float]]:
    """Zipf's law over 3,000 words, as in natural text: filler words take the top ranks and the
    medical terms sit at ranks 60-480, so a query term matches a few per cent of documents."""
    filler = [f"w{n:04d}" for n in range(3000 - len(WORDS))]
    vocabulary = (
        filler[:60]
        + [w for pair in zip(WORDS, filler[60:], strict=False) for w in pair]
        + filler[60 + len(WORDS) :]
    )
    weights = [1 / rank for rank in range(1, len(vocabulary) + 1)]
    return vocabulary, weights


VOCABULARY, WEIGHTS = _vocabulary()


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choices(VOCABULARY, weights=WEIGHTS, k=count))


def _title(rng: random.Random) -> str:
    return _words(rng, rng.randint(4, 8)).capitalize()
